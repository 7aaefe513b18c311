// The cloud form (gha, s3, azblob) on a real capture: one BuildKit build
// exported type=s3 and type=local (tests/fixtures/cloud/s3-small-max); each
// form converts into the other byte for byte. Shared by the native addon,
// the WASM build in Node and the WASM build in Chromium.
import { equal, throwsCode } from './check.mjs'

const text = (bytes) => new TextDecoder().decode(bytes)

/** The capture's files by what they are, read through `read(path under tests/)` (a promise of bytes). */
export async function loadCloud(read) {
  const base = 'fixtures/cloud/s3-small-max/'
  const index = JSON.parse(text(await read(`${base}cache/index.json`)))
  const blob = (d) => read(`${base}cache/blobs/${d.replace(':', '/')}`)
  const manifest = await blob(index.manifests[0].digest)
  const config = await blob(JSON.parse(text(manifest)).config.digest)
  return { manifest, config, cloud: await read(`${base}bucket/manifests/small`) }
}

export function cases(api, data) {
  return [
    {
      name: 'cloud: a local export becomes the s3 export of the same build',
      run: async () => {
        const { manifest, config, cloud } = await data.cloud
        equal(text(api.cloudConfig(manifest, config)), text(cloud))
      },
    },
    {
      name: 'cloud: an s3 export becomes the local export of the same build',
      run: async () => {
        const { manifest, config, cloud } = await data.cloud
        const docs = api.cloudDocuments(cloud)
        equal(text(docs.manifest), text(manifest), 'manifest')
        equal(text(docs.config), text(config), 'config')
      },
    },
    {
      name: 'cloud: a layer without annotations is MISSING_DIFF_ID, a manifest without a layer MISSING_BLOB',
      run: async () => {
        const { manifest, config, cloud } = await data.cloud
        const bare = JSON.parse(text(cloud))
        delete bare.layers[0].annotations
        throwsCode(() => api.cloudDocuments(new TextEncoder().encode(JSON.stringify(bare))), 'MISSING_DIFF_ID')
        const m = JSON.parse(text(manifest))
        m.layers.pop()
        throwsCode(() => api.cloudConfig(new TextEncoder().encode(JSON.stringify(m)), config), 'MISSING_BLOB')
      },
    },
  ]
}
