//! Container ids from cgroup names.
//!
//! Container runtimes name the leaf cgroup of a container after its id:
//! `docker-<id>.scope` (Docker with systemd), `<id>` (Docker with
//! cgroupfs, Kubernetes with cgroupfs), `cri-containerd-<id>.scope`,
//! `crio-<id>.scope` and `libpod-<id>.scope` (Podman). The id is 64
//! lowercase hexadecimal digits in each case.

const PREFIXES: &[&str] = &["docker-", "cri-containerd-", "crio-", "libpod-", ""];

/// Returns the container id named by a leaf cgroup name, if any.
pub fn container_id_from_cgroup(name: &str) -> Option<&str> {
    let base = name.strip_suffix(".scope").unwrap_or(name);
    PREFIXES.iter().find_map(|prefix| {
        let id = base.strip_prefix(prefix)?;
        let is_id = id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        is_id.then_some(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4a0c9b1e2d4f6a8b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a";

    #[test]
    fn runtime_cgroup_names() {
        for name in [
            format!("docker-{ID}.scope"),
            ID.to_string(),
            format!("cri-containerd-{ID}.scope"),
            format!("crio-{ID}.scope"),
            format!("libpod-{ID}.scope"),
        ] {
            assert_eq!(container_id_from_cgroup(&name), Some(ID), "{name}");
        }
    }

    #[test]
    fn host_cgroup_names() {
        for name in ["", "/", "init.scope", "session-3.scope", "nginx.service", "docker-abc.scope"] {
            assert_eq!(container_id_from_cgroup(name), None, "{name}");
        }
    }
}
