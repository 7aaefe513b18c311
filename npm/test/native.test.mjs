// The shared suite against the native addon.
import * as api from 'ocicache'
import { cases as compression } from './suite/compression.mjs'
import { cases as digest } from './suite/digest.mjs'
import { cases as format } from './suite/format.mjs'
import { cases as cache } from './suite/cache.mjs'
import { cases as cloud } from './suite/cloud.mjs'
import { cases as options } from './suite/options.mjs'
import { cases as prune } from './suite/prune.mjs'
import { register } from './run.mjs'

register('native', api, [digest, options, compression, format, cache, prune, cloud])
