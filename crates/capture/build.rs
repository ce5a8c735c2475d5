//! Compiles the BPF programs in src/bpf with clang and generates their
//! libbpf-rs skeleton in OUT_DIR.

use std::env;
use std::path::PathBuf;

use libbpf_cargo::SkeletonBuilder;

const SOURCE: &str = "src/bpf/exec.bpf.c";

fn main() {
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets CARGO_CFG_TARGET_ARCH");
    // The checked-in vmlinux.h is x86_64 only; scripts/gen-vmlinux.sh writes
    // one for the build machine's architecture.
    let (vmlinux_dir, target_define) = match arch.as_str() {
        "x86_64" => ("src/bpf/x86_64", "-D__TARGET_ARCH_x86"),
        "aarch64" => ("src/bpf/aarch64", "-D__TARGET_ARCH_arm64"),
        other => panic!("no BPF build for target architecture {other}: add src/bpf/{other}/vmlinux.h"),
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("exec.skel.rs");

    SkeletonBuilder::new()
        .source(SOURCE)
        .clang_args([
            target_define.to_string(),
            format!("-I{vmlinux_dir}"),
            "-Isrc/bpf".to_string(),
            "-Wall".to_string(),
            "-Wno-unused-function".to_string(),
        ])
        .build_and_generate(&out)
        .unwrap_or_else(|err| {
            panic!("failed to compile {SOURCE} (is clang installed? see README): {err:#}")
        });

    println!("cargo:rerun-if-changed=src/bpf");
}
