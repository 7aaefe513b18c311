// Registers a shared suite's cases with node:test for one implementation.
import { test } from 'node:test'
import { loadData } from './data.mjs'

export function register(label, api, suites) {
  const data = loadData()
  for (const suite of suites) {
    for (const c of suite(api, data)) test(`${label}: ${c.name}`, c.run)
  }
}
