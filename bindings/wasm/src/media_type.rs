//! `mediaTypes` (core `media_type.rs`); the package builds `MediaType` from it.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_MEDIA_TYPE: &str = r#"
/** The media type constants by name, such as `MediaType.CACHE_CONFIG` (from `mediaTypes()`). */
export declare const MediaType: Readonly<Record<string, string>>
"#;

/// The media type constants, by name (`OCI_MANIFEST`, `CACHE_CONFIG`, …).
#[wasm_bindgen(js_name = mediaTypes, unchecked_return_type = "Record<string, string>")]
pub fn media_types() -> JsValue {
    let o = Object::new();
    for (k, v) in ocicache::MediaType::ALL {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o.into()
}
