// The record graph of a cache config drawn as a DAG in SVG: records are
// nodes, inputs are edges from the record they link to, sources on the
// left and the final steps on the right. Layered layout: a record's column
// is its longest path from a source; rows within a column are ordered by
// the barycenter of their neighbours (a few sweeps) to keep edges short.
// A bar under each record shows what its results cost (inspect's
// `cost.bytes`) against the heaviest record's.
const SVG = 'http://www.w3.org/2000/svg'
const COL = 190
const ROW = 34
const W = 150
const H = 24
const PAD = 12

/** Largest graph drawn; bigger ones are listed, not drawn. */
export const MAX_DRAWN = 1500

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(SVG, name)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  parent?.appendChild(e)
  return e
}

/**
 * Columns and rows of `records` ([{index, inputs: [[{link, selector}]]}]):
 * {column: [], row: [], columns: [[index…]]}. Records in a loop (a damaged
 * config) go to column 0.
 */
export function layout(records) {
  const n = records.length
  const parents = records.map((r) => [...new Set(r.inputs.flat().map((i) => i.link).filter((l) => l >= 0 && l < n))])
  const children = Array.from({ length: n }, () => [])
  parents.forEach((ps, i) => ps.forEach((p) => children[p].push(i)))
  const column = new Array(n).fill(0)
  const waiting = parents.map((ps) => ps.length)
  const queue = []
  for (let i = 0; i < n; i++) if (waiting[i] === 0) queue.push(i)
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]
    for (const c of children[i]) {
      column[c] = Math.max(column[c], column[i] + 1)
      if (--waiting[c] === 0) queue.push(c)
    }
  }
  const columns = []
  for (let i = 0; i < n; i++) (columns[column[i]] ??= []).push(i)
  for (let c = 0; c < columns.length; c++) columns[c] ??= []
  const row = new Array(n).fill(0)
  const place = () => columns.forEach((col) => col.forEach((i, k) => (row[i] = k)))
  place()
  const mean = (list) => (list.length ? list.reduce((s, j) => s + row[j], 0) / list.length : null)
  for (let sweep = 0; sweep < 4; sweep++) {
    const order = sweep % 2 === 0 ? columns.map((_, c) => c) : columns.map((_, c) => columns.length - 1 - c)
    for (const c of order) {
      const key = new Map(columns[c].map((i) => [i, mean(sweep % 2 === 0 ? parents[i] : children[i]) ?? row[i]]))
      columns[c].sort((a, b) => key.get(a) - key.get(b) || a - b)
      columns[c].forEach((i, k) => (row[i] = k))
    }
  }
  return { column, row, columns, parents, children }
}

/**
 * Draws `graph` ({records, leaves}) into `svg`; `onSelect(index)` on a
 * click. Returns {highlight(index | null), mark(Set of indexes)}.
 */
export function draw(svg, graph, onSelect) {
  svg.replaceChildren()
  const { records } = graph
  const { column, row, columns } = layout(records)
  const height = Math.max(1, ...columns.map((c) => c.length)) * ROW + 2 * PAD
  const width = Math.max(1, columns.length) * COL + 2 * PAD
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('width', width)
  svg.setAttribute('height', height)
  const x = (i) => PAD + column[i] * COL
  const y = (i) => PAD + row[i] * ROW
  const edges = el('g', { class: 'edges' }, svg)
  const nodes = el('g', { class: 'nodes' }, svg)
  const edgeEls = []
  const nodeEls = []
  const heaviest = Math.max(1, ...records.map((r) => r.cost?.bytes ?? 0))
  records.forEach((r, i) => {
    r.inputs.forEach((slot, s) => {
      for (const input of slot) {
        const p = input.link
        if (p < 0 || p >= records.length) continue
        const x1 = x(p) + W
        const y1 = y(p) + H / 2
        const x2 = x(i)
        const y2 = y(i) + H / 2
        const mid = (x1 + x2) / 2
        const path = el('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: input.selector ? 'edge selector' : 'edge' }, edges)
        el('title', {}, path).textContent = `record ${p} → record ${i}, input ${s}${input.selector ? `\nselector ${input.selector}` : ''}`
        edgeEls.push({ path, from: p, to: i })
      }
    })
    const g = el('g', { class: r.results.length ? 'node result' : 'node', transform: `translate(${x(i)},${y(i)})`, 'data-index': i }, nodes)
    const cost = (r.cost?.bytes ?? 0) / heaviest
    g.dataset.cost = cost.toFixed(3)
    el('rect', { width: W, height: H, rx: 4 }, g)
    if (cost > 0) el('rect', { class: 'cost', x: 0, y: H - 4, width: Math.max(2, W * cost), height: 4, rx: 2 }, g)
    el('text', { x: 8, y: 16 }, g).textContent = `${i} ${r.digest.slice(7, 19)}`
    const costLine = r.cost ? `\n${r.cost.bytes} bytes of layers (${r.cost.ownBytes} own)` : ''
    el('title', {}, g).textContent = `record ${i}\n${r.digest}\n${r.results.length ? `${r.results[0].blobs.length} layers` : 'no result'}${costLine}`
    g.addEventListener('click', () => onSelect(i))
    nodeEls.push(g)
  })
  return {
    /** Marks the records whose results a prune preview drops. */
    mark(dropped) {
      nodeEls.forEach((g, i) => g.classList.toggle('dropped', dropped.has(i)))
    },
    highlight(index) {
      const inputs = new Set(index === null ? [] : records[index].inputs.flat().map((i) => i.link))
      nodeEls.forEach((g, i) => {
        g.classList.toggle('selected', i === index)
        g.classList.toggle('input', inputs.has(i))
      })
      edgeEls.forEach((e) => e.path.classList.toggle('active', e.to === index))
      if (index !== null) nodeEls[index].scrollIntoView?.({ block: 'nearest', inline: 'nearest' })
    },
  }
}
