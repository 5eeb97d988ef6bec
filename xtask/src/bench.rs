//! `cargo xtask bench`: measurements (never pass/fail assertions in the test suite).
//! Today: the bytes of the release SPA's first load, raw, gzip and brotli, written to
//! `target/bench/report.md`.

use crate::cmd::{self, Result};
use crate::{serve, setup};
use std::io::Write;
use std::path::Path;

pub fn run() -> Result {
    setup::run(setup::Purpose::Serve)?;
    let dist = serve::build_spa()?;
    let report = bundle_report(&dist)?;
    let out = cmd::root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("report.md"), &report).map_err(|e| e.to_string())?;
    println!("{report}");
    println!("written to {}", out.join("report.md").display());
    Ok(())
}

/// One row per file of `dist/` (the first load is all of them: index.html, JS, WASM, CSS).
pub fn bundle_report(dist: &Path) -> Result<String> {
    let mut rows = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .filter(|e| e.path().is_file())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
        let (gz, br) = (gzip_len(&bytes), brotli_len(&bytes));
        raw_total += bytes.len();
        gz_total += gz;
        br_total += br;
        rows.push(format!("| {name} | {} | {gz} | {br} |", bytes.len()));
    }
    let mut report = String::from("# Bench report\n\n## First load of the SPA (bytes)\n\n");
    report.push_str("| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|\n");
    for row in rows {
        report.push_str(&row);
        report.push('\n');
    }
    report.push_str(&format!(
        "| **total** | {raw_total} | {gz_total} | {br_total} |\n"
    ));
    Ok(report)
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory").len()
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing in memory");
    out.len()
}
