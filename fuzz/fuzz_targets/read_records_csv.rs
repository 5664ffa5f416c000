//! Fuzz target: any bytes as a `.csv` source, read with the encoding
//! detected, forced to GBK and forced to UTF-8. The reader must return
//! records or an error naming the file, never panic.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One scratch file for the whole run (the reader takes a path).
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("riskmap-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("incidents.csv")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).unwrap();
    for encoding in [None, Some("gbk"), Some("utf-8")] {
        match riskmap_io::read_records_with(path, encoding) {
            Ok(r) => {
                // Every cell reads as text and as a number.
                for c in &r.cells {
                    assert_eq!(c.len(), r.height());
                    for i in 0..c.len() {
                        let _ = (c.text(i), c.number(i));
                    }
                }
            }
            Err(e) => assert!(e.to_string().contains("incidents.csv"), "{e}"),
        }
    }
});
