//! The floor for the usage-log reader (`benches/logs.sh`): a plain `csv`
//! crate scan of the same event log files, one rayon task per file, that
//! reads every record and touches every field, and nothing else.
//!
//!     raw_log_scan [--threads N] DIR

use rayon::prelude::*;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        let n: usize = args[i + 1].parse().expect("--threads N");
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .unwrap();
        args.drain(i..i + 2);
    }
    let dir = args.first().expect("raw_log_scan DIR");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let (rows, bytes): (u64, u64) = files
        .par_iter()
        .map(|path| {
            let file = std::fs::File::open(path).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(std::io::BufReader::with_capacity(1 << 18, file));
            let mut record = csv::ByteRecord::new();
            let (mut rows, mut bytes) = (0u64, 0u64);
            while reader.read_byte_record(&mut record).unwrap() {
                rows += 1;
                bytes += record.iter().map(|f| f.len() as u64).sum::<u64>();
            }
            (rows, bytes)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{rows} rows, {bytes} value bytes");
}
