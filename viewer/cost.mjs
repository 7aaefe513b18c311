// What each step of the shown cache costs (inspect's graph.records[].cost
// and graph.modeMin) and a prune preview at a budget the user types: the
// core plans (Cache.prunePlan through npm/operations.mjs, a dry run: the
// page never writes); this file only draws.
import { parseByteSize } from 'ocicache'
import { prune } from '../npm/operations.mjs'

/** How many of the heaviest records are listed. */
export const HEAVIEST = 10

/**
 * Lists the heaviest records of `graph` into `list` (each a link that calls
 * `select(index)`) and what mode=min would keep into `note`; `h` makes
 * elements, `bytes` formats sizes.
 */
export function drawCosts(graph, { list, note }, { h, bytes, select }) {
  const heavy = graph.records
    .filter((r) => r.cost?.bytes > 0)
    .sort((a, b) => b.cost.bytes - a.cost.bytes || a.index - b.index)
    .slice(0, HEAVIEST)
  list.replaceChildren(
    ...heavy.map((r) =>
      h(
        'li',
        { 'data-index': r.index, 'data-bytes': r.cost.bytes },
        h('a', { href: '#', onclick: (e) => (e.preventDefault(), select(r.index)) }, `record ${r.index}`),
        ` ${r.digest.slice(7, 19)}: ${bytes(r.cost.bytes)} (${bytes(r.cost.ownBytes ?? 0)} own, ${bytes(r.cost.inheritedBytes ?? 0)} inherited)`,
      ),
    ),
  )
  const m = graph.modeMin
  note.textContent = m ? `mode=min would keep ${m.results} results of ${m.records} records: ${bytes(m.bytes ?? 0)} of ${bytes(m.ofBytes ?? 0)} of layers.` : ''
}

/**
 * Previews `ocicache prune --max-size <text>` of `storage`: fills `summary`
 * and `list` (the results that would go, heaviest first) and returns the
 * plan's JSON, whose records the graph then marks. A bad budget or an
 * impossible one is thrown with its code.
 */
export async function previewPrune(storage, text, { summary, list }, { h, bytes }) {
  const { plan } = await prune(storage, { maxSize: parseByteSize(text), dryRun: true })
  const p = plan.toJSON(false)
  summary.textContent = `would drop ${p.droppedResults} of ${p.results} results and ${p.droppedLayers} layers: ${bytes(p.bytesBefore)} → ${bytes(p.bytesAfter)}, freeing ${bytes(p.freedBytes)}.`
  summary.dataset.freed = p.freedBytes
  summary.dataset.dropped = p.droppedResults
  const gone = p.plan.filter((r) => !r.kept).sort((a, b) => b.bytes - a.bytes || a.record - b.record)
  list.replaceChildren(...gone.map((r) => h('li', { 'data-record': r.record }, `${r.tag}: record ${r.record} ${r.digest.slice(7, 19)}, ${bytes(r.bytes)}, created ${r.createdAt} (${r.reason})`)))
  return p
}
