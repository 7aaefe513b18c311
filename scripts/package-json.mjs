// Prints the package.json that scripts/package.sh publishes, from npm/package.json:
//   node scripts/package-json.mjs main <triple>      the main package `ocicache`, which
//     names the platform package as an optional dependency (napi-rs's layout);
//     without scripts, devDependencies or napi's build settings
//   node scripts/package-json.mjs platform <triple>  `@ocicache/<triple>`, the .node addon
// <triple> is napi's platform name, such as linux-x64-gnu.
import { readFileSync } from 'node:fs'

const [kind, triple] = process.argv.slice(2)
const source = JSON.parse(readFileSync(new URL('../npm/package.json', import.meta.url), 'utf8'))
const platforms = {
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
}
if (!(triple in platforms)) {
  console.error(`package-json.mjs: no platform ${triple}; known: ${Object.keys(platforms).join(', ')}`)
  process.exit(2)
}
const platformName = `@ocicache/${triple}`
const common = {
  version: source.version,
  license: source.license,
  repository: source.repository,
  engines: source.engines,
}

let out
if (kind === 'main') {
  const { scripts, devDependencies, napi, files, ...rest } = source
  out = {
    ...rest,
    ...common,
    files: [...files, 'README.md', 'LICENSE'],
    optionalDependencies: { [platformName]: source.version },
  }
} else if (kind === 'platform') {
  const addon = `ocicache.${triple}.node`
  out = {
    name: platformName,
    description: `The ${triple} native addon of ocicache (napi-rs); installed by the ocicache package.`,
    ...common,
    ...platforms[triple],
    main: addon,
    files: [addon, 'LICENSE'],
  }
} else {
  console.error('usage: node scripts/package-json.mjs main|platform <triple>')
  process.exit(2)
}
console.log(JSON.stringify(out, null, 2))
