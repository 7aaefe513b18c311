// A module resolve hook for the tests: viewer/files.mjs imports 'ocicache'
// as the viewer page's import map resolves it; in Node it is this package.
export async function resolve(specifier, context, next) {
  if (specifier === 'ocicache' && context.parentURL?.includes('/viewer/')) {
    return { url: new URL('../index.mjs', import.meta.url).href, shortCircuit: true }
  }
  return next(specifier, context)
}
