// The bytes a vector's `input` describes: {utf8}, {hex}, {concat: [inputs]} or
// {repeat: {utf8|hex, count}}.
export function inputBytes(input) {
  if ('utf8' in input) return new TextEncoder().encode(input.utf8)
  if ('hex' in input) {
    const out = new Uint8Array(input.hex.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(input.hex.slice(2 * i, 2 * i + 2), 16)
    return out
  }
  if ('concat' in input) {
    const parts = input.concat.map(inputBytes)
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
  const unit = inputBytes(input.repeat)
  const out = new Uint8Array(unit.length * input.repeat.count)
  for (let i = 0; i < input.repeat.count; i++) out.set(unit, i * unit.length)
  return out
}
