//! switchboard-bench: drives a running hub over the real protocol and reports numbers.

fn main() {}
