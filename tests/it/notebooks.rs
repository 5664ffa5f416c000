//! The research notebooks in `notebooks/` run headless (nbclient) against
//! the binary under test, so they never rot. Skipped, with a message, only
//! when `python3` is absent; `scripts/test.sh` installs the Python packages
//! they need (nbclient, nbformat, ipykernel, polars, matplotlib, scipy).

use std::process::Command;

const RUN: &str = "
import sys, nbformat, nbclient
nb = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': sys.argv[2]}}).execute()
print('executed', len(nb.cells), 'cells')
";

#[test]
fn notebooks_execute_headless() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED: python3 is not installed; the notebooks were not run");
        return;
    }
    let root = &crate::support::repo();
    let dir = root.join("notebooks");
    let mut ran = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "ipynb") {
            continue;
        }
        let o = Command::new("python3")
            .args(["-c", RUN])
            .arg(&p)
            .arg(&dir)
            .env("RISKMAP_BIN", env!("CARGO_BIN_EXE_riskmap"))
            .env("RISKMAP_REPO", root)
            .env("MPLBACKEND", "Agg")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{} failed (scripts/test.sh installs nbclient, nbformat, ipykernel, polars, matplotlib, scipy):\n{}",
            p.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 1, "no notebook in {}", dir.display());
}
