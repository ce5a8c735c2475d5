mod skel {
    include!(concat!(env!("OUT_DIR"), "/exec.skel.rs"));
}
