//! Same input, same output, byte for byte, whatever the thread count:
//! the sample org, the vendored corpus and the broken inputs,
//! in JSON and in text.

mod common;

use common::*;

fn outputs(args: &[&str]) -> Vec<(String, Vec<u8>, String)> {
    let mut seen = vec![];
    for threads in ["1", "2", "8"] {
        for format in ["json", "text"] {
            let mut all = vec!["check"];
            all.extend_from_slice(args);
            all.extend(["--threads", threads, "--format", format, "--color", "never"]);
            let out = run(&all);
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{all:?}: {}",
                stderr(&out)
            );
            assert!(format == "text" || !out.stdout.is_empty(), "{all:?}");
            seen.push((
                format!("{threads} threads, {format}"),
                out.stdout.clone(),
                closing_line(&out),
            ));
        }
    }
    seen
}

fn assert_identical(args: &[&str]) {
    let seen = outputs(args);
    for format in ["json", "text"] {
        let runs: Vec<_> = seen
            .iter()
            .filter(|(what, _, _)| what.ends_with(format))
            .collect();
        for (what, stdout, closing) in &runs[1..] {
            assert!(
                *stdout == runs[0].1,
                "{args:?}: output with {what} differs from {}",
                runs[0].0
            );
            assert_eq!(closing, &runs[0].2, "{args:?}: {what}");
        }
    }
}

#[test]
fn the_sample_org_gives_the_same_bytes_with_1_2_and_8_threads() {
    assert_identical(&["testdata/acme"]);
}

#[test]
fn the_corpus_gives_the_same_bytes_with_1_2_and_8_threads() {
    assert_identical(&["testdata/corpus", "--no-forceignore"]);
}

#[test]
fn errors_come_in_the_same_order_with_1_2_and_8_threads() {
    assert_identical(&["testdata/bad"]);
}
