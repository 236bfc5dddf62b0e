//! The floor for `minpriv check`: find the same files, read them with the
//! same thread count, and run quick-xml's tokenizer over each, doing
//! nothing else.
//!
//! ```sh
//! cargo run --release --example raw_scan -- --threads 2 /tmp/org100
//! ```

use std::path::PathBuf;

use quick_xml::Reader;
use quick_xml::events::Event;
use rayon::prelude::*;

fn main() {
    let mut threads = None;
    let mut root = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => threads = args.next().and_then(|n| n.parse().ok()),
            path => root = Some(PathBuf::from(path)),
        }
    }
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .expect("thread pool");
    }
    let root = root.expect("usage: raw_scan [--threads N] DIR");
    let files: Vec<PathBuf> = ignore::WalkBuilder::new(&root)
        .standard_filters(false)
        .hidden(true)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| minpriv::parse::FileKind::classify_path(p).is_some())
        .collect();
    let (bytes, events): (usize, usize) = files
        .par_iter()
        .map(|path| {
            let data = std::fs::read(path).expect("read");
            let mut reader = Reader::from_reader(data.as_slice());
            let mut events = 0;
            loop {
                match reader.read_event() {
                    Ok(Event::Eof) => break,
                    Ok(_) => events += 1,
                    Err(e) => panic!("{}: {e}", path.display()),
                }
            }
            (data.len(), events)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{} files, {bytes} bytes, {events} events", files.len());
}
