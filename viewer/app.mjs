// The cache viewer page: opens a cache (folder, dropped folder, tar,
// sample), shows what it holds and what each step costs through ocicache's
// WASM build, verifies it in the browser and previews gc and prune. All
// work is the core's (inspect, verify, gc and prune plans through
// npm/operations.mjs); this file only draws.
import { CacheManifest } from 'ocicache'
import { gc, loadCache, verify } from '../npm/operations.mjs'
import { drawCosts, previewPrune } from './cost.mjs'
import { FileStorage } from './files.mjs'
import { MAX_DRAWN, draw } from './graph.mjs'

const $ = (id) => document.getElementById(id)
const state = { storage: null, graph: null, tag: null, records: [], view: null }

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
function bytes(n) {
  let u = 0
  let v = n
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u ? v.toFixed(v < 10 ? 2 : 1) : v} ${units[u]}`
}
const short = (d) => (d ? d.slice(7, 19) : '')

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v)
    else e.setAttribute(k, v)
  }
  for (const c of children.flat()) e.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return e
}

function showError(err) {
  const el = $('error')
  el.hidden = false
  el.textContent = err.code ? `${err.code}: ${err.message}` : String(err.message ?? err)
}

function compressionOf(mediaType) {
  if (/zstd$/.test(mediaType)) return 'zstd'
  if (/gzip$/.test(mediaType)) return 'gzip'
  if (/tar$/.test(mediaType)) return 'uncompressed'
  return '?'
}

function finding(f) {
  return h('li', { class: f.severity, 'data-code': f.code }, h('code', {}, f.code), ' ', h('span', { class: 'path' }, f.path), ' ', f.message)
}

async function open(storage, sample = '') {
  $('error').hidden = true
  $('samples').value = sample
  $('search').value = ''
  $('search-result').textContent = ''
  state.storage = storage
  const cache = await loadCache(storage)
  const stored = await storage.listBlobs()
  const report = cache.inspect(stored).toJSON()
  const tags = report.tags
  $('main').hidden = false
  $('cache-name').textContent = storage.name
  $('count-tags').textContent = tags.length
  $('count-records').textContent = tags.reduce((n, t) => n + (t.records ?? 0), 0)
  $('count-layers').textContent = tags.reduce((n, t) => n + (t.layers ?? 0), 0)
  $('count-blobs').textContent = `${report.blobs.stored} (${bytes(report.blobs.storedBytes)})`
  $('count-reachable').textContent = `${report.blobs.reachable} (${bytes(report.blobs.reachableBytes)})`
  $('count-garbage').textContent = report.blobs.unreachable
  $('count-garbage-bytes').textContent = bytes(report.blobs.unreachableBytes)
  $('count-garbage-bytes').dataset.bytes = report.blobs.unreachableBytes
  drawBytes(report)
  $('tags').tBodies[0].replaceChildren(
    ...tags.map((t) =>
      h('tr', {}, h('td', {}, t.tag ?? '(untagged)'), h('td', {}, t.form ?? (t.cache ? '' : 'not a cache')), h('td', { class: 'mono' }, t.mediaType), h('td', {}, t.records ?? ''), h('td', {}, t.layers ?? ''), h('td', {}, bytes(t.bytes ?? 0)), h('td', {}, t.createdAt ? `${t.createdAt.first} … ${t.createdAt.last}` : '')),
    ),
  )
  $('load-findings').replaceChildren(...report.findings.map(finding))
  const first = tags.find((t) => t.graph)
  state.graph = first?.graph ?? { records: [], roots: [], leaves: [] }
  state.tag = first?.tag ?? null
  state.records = state.graph.records
  drawGraph()
  drawCosts(state.graph, { list: $('heaviest'), note: $('mode-min') }, { h, bytes, select })
  $('prune-summary').textContent = ''
  $('prune-list').replaceChildren()
  await drawLayers(tags)
  $('verify-findings').replaceChildren()
  $('verify-status').textContent = ''
  delete $('verify-status').dataset.ok
  $('verify-progress').hidden = true
  const plan = await gc(storage, { dryRun: true, gracePeriodMs: 0 })
  const p = plan.toJSON(false)
  $('gc-summary').textContent = `${p.delete.length} blobs would be deleted, freeing ${bytes(plan.freedBytes)}; ${p.kept} kept (${bytes(p.keptBytes)}).`
  $('gc-summary').dataset.count = p.delete.length
  $('gc-summary').dataset.bytes = plan.freedBytes
  $('gc-list').replaceChildren(...p.delete.map((b) => h('li', {}, `${b.blob}  ${bytes(b.size)}`)))
}

function drawBytes(report) {
  const total = report.blobs.storedBytes || 1
  const parts = []
  let unique = 0
  for (const t of report.tags) {
    if (t.uniqueBytes) parts.push({ label: `only tag ${t.tag ?? '?'}`, n: t.uniqueBytes, cls: 'tag' })
    unique += t.uniqueBytes ?? 0
  }
  const shared = report.blobs.reachableBytes - unique
  if (shared > 0) parts.push({ label: 'shared by tags', n: shared, cls: 'shared' })
  if (report.blobs.unreachableBytes) parts.push({ label: 'garbage (unreachable)', n: report.blobs.unreachableBytes, cls: 'garbage' })
  $('bytes-bar').replaceChildren(...parts.map((p, i) => h('span', { class: `${p.cls} c${i % 6}`, style: `width:${(100 * p.n) / total}%`, title: `${p.label}: ${bytes(p.n)}` })))
  $('bytes-legend').replaceChildren(...parts.map((p, i) => h('li', {}, h('span', { class: `swatch ${p.cls} c${i % 6}` }), `${p.label}: ${bytes(p.n)} (${((100 * p.n) / total).toFixed(1)}%)`)))
}

function drawGraph() {
  const records = state.records
  const svg = $('graph')
  if (records.length > MAX_DRAWN) {
    svg.replaceChildren()
    state.view = null
    $('graph-note').textContent = `${records.length} records: too many to draw; search to see one.`
  } else {
    $('graph-note').textContent = records.length ? '' : 'no records'
    state.view = draw(svg, state.graph, select)
  }
  $('record').replaceChildren()
}

function select(index) {
  state.view?.highlight(index)
  const r = state.records[index]
  if (!r) return
  const layerInfo = state.layers ?? new Map()
  $('record').replaceChildren(
    h('h3', {}, `record ${index}`),
    h('p', { class: 'mono' }, r.digest),
    h('h4', {}, 'inputs'),
    r.inputs.length
      ? h('ol', { start: 0 }, ...r.inputs.map((slot) => h('li', {}, ...slot.map((i) => h('a', { href: '#', onclick: (e) => (e.preventDefault(), select(i.link)) }, `record ${i.link}`, i.selector ? ` (selector ${i.selector})` : '', ' ')))))
      : h('p', {}, 'none: a source'),
    h('h4', {}, 'results'),
    r.results.length
      ? h('ul', {}, ...r.results.map((res) => h('li', {}, `created ${res.createdAt ?? '?'}; layer chain:`, h('ol', {}, ...res.blobs.map((b) => h('li', { class: 'mono', 'data-blob': b }, `${b} ${layerInfo.get(b) ? `${bytes(layerInfo.get(b).size)} ${compressionOf(layerInfo.get(b).mediaType)}` : ''}`))))))
      : h('p', {}, 'no result (only a cache key)'),
  )
  for (const tr of $('layers').tBodies[0].rows) tr.classList.toggle('active', r.results.some((res) => res.blobs.includes(tr.dataset.blob)))
}

async function drawLayers(tags) {
  const seen = new Map()
  for (const t of tags) {
    if (!t.cache) continue
    const data = await state.storage.readBlob(t.digest)
    if (!data) continue
    for (const l of CacheManifest.fromBytes(data).layers) if (!seen.has(l.digest)) seen.set(l.digest, l)
  }
  state.layers = seen
  const rows = [...seen.values()].map((l, i) =>
    h('tr', { 'data-blob': l.digest }, h('td', {}, i), h('td', { class: 'mono', title: l.digest }, short(l.digest)), h('td', { class: 'mono' }, l.mediaType), h('td', {}, compressionOf(l.mediaType)), h('td', {}, bytes(l.size)), h('td', { class: 'uncompressed' }, '—'), h('td', {}, l.annotations?.['buildkit/createdat'] ?? '')),
  )
  $('layers').tBodies[0].replaceChildren(...rows)
}

async function runVerify() {
  const bar = $('verify-progress')
  bar.hidden = false
  bar.value = 0
  $('verify').disabled = true
  $('verify-status').textContent = 'verifying…'
  delete $('verify-status').dataset.ok
  $('verify-findings').replaceChildren()
  const started = performance.now()
  try {
    const report = await verify(state.storage, {
      onProgress: (done, total) => {
        bar.max = total || 1
        bar.value = done
      },
    })
    const r = report.toJSON()
    const seconds = (performance.now() - started) / 1000
    $('verify-status').textContent = `${report.ok ? 'ok' : 'FAILED'}: ${r.blobs} blobs (${bytes(r.bytes)}) in ${seconds.toFixed(1)} s; ${r.errors} errors, ${r.warnings} warnings`
    $('verify-status').dataset.ok = report.ok
    $('verify-findings').replaceChildren(...r.findings.map(finding))
    for (const c of r.checked) {
      const tr = $('layers').querySelector(`tr[data-blob="${c.blob}"] td.uncompressed`)
      if (tr && c.uncompressedSize !== undefined) tr.textContent = bytes(c.uncompressedSize)
    }
  } catch (err) {
    showError(err)
  } finally {
    $('verify').disabled = false
  }
}

async function runPrune() {
  const p = await previewPrune(state.storage, $('budget').value, { summary: $('prune-summary'), list: $('prune-list') }, { h, bytes })
  state.view?.mark(new Set(p.plan.filter((r) => !r.kept && r.tag === state.tag).map((r) => r.record)))
}

function search() {
  const q = $('search').value.trim().toLowerCase().replace(/^sha256:/, '')
  if (!q) return ($('search-result').textContent = '')
  const hits = state.records.filter((r) => r.digest.slice(7).startsWith(q))
  $('search-result').textContent = hits.length === 1 ? `record ${hits[0].index}` : `${hits.length} records match`
  if (hits.length) select(hits[0].index)
}

async function guarded(work) {
  try {
    await work()
  } catch (err) {
    showError(err)
  }
}

async function loadSample(name) {
  const list = await (await fetch('samples/index.json')).json()
  const sample = list.find((s) => s.name === name)
  if (!sample) throw Object.assign(new Error(`no sample named ${name}`), { code: 'INVALID_ARGUMENT' })
  const blob = await (await fetch(`samples/${sample.file}`)).blob()
  await open(await FileStorage.fromTar(blob, name), name)
}

async function init() {
  $('pick-folder').addEventListener('change', (e) => guarded(() => open(FileStorage.fromFileList(e.target.files))))
  $('pick-tar').addEventListener('change', (e) => guarded(async () => e.target.files[0] && open(await FileStorage.fromTar(e.target.files[0]))))
  $('verify').addEventListener('click', () => guarded(runVerify))
  $('prune').addEventListener('click', () => guarded(runPrune))
  $('search').addEventListener('input', search)
  $('samples').addEventListener('change', (e) => e.target.value && guarded(() => loadSample(e.target.value)))
  document.addEventListener('dragover', (e) => {
    e.preventDefault()
    document.body.classList.add('dragging')
  })
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'))
  document.addEventListener('drop', (e) => {
    e.preventDefault()
    document.body.classList.remove('dragging')
    const item = [...e.dataTransfer.items].find((i) => i.kind === 'file')
    const entry = item?.webkitGetAsEntry?.()
    guarded(async () => {
      if (entry?.isDirectory) await open(await FileStorage.fromDirectory(entry))
      else if (item) await open(await FileStorage.fromTar(item.getAsFile()))
    })
  })
  try {
    const list = await (await fetch('samples/index.json')).json()
    for (const s of list) $('samples').append(h('option', { value: s.name }, `${s.name}: ${s.description}`))
  } catch {
    $('samples').disabled = true
  }
  const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'))
  if (wasm) $('wasm-note').textContent = `WASM module: ${bytes(wasm.decodedBodySize)} (${bytes(wasm.transferSize || wasm.encodedBodySize)} transferred)`
  const sample = new URLSearchParams(location.search).get('sample')
  if (sample) await guarded(() => loadSample(sample))
  document.body.dataset.ready = 'true'
}

init()
