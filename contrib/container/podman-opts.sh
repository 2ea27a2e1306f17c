# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by contrib/build-image.sh and tests/packaging/image-test.sh:
# sets PODMAN_OPTS to what podman needs on this machine to run a container
# of the image $1. Where podman's defaults work, nothing. Where crun stops
# at a hybrid cgroup layout (v1 controllers with one on v2 as well: some
# VMs), runc runs instead; where the defaults' open-file and process limits
# are above what this process may set, they are lowered to its own.
podman_opts() {
	PODMAN_OPTS=""
	podman run --rm --entrypoint true "$1" >/dev/null 2>&1 && return 0
	# dash's and bash's ulimit, which the scripts run under, know -n.
	# shellcheck disable=SC3045
	PODMAN_OPTS="--ulimit nofile=$(ulimit -n):$(ulimit -n)
		--ulimit nproc=4096:4096"
	# shellcheck disable=SC2086
	podman run --rm $PODMAN_OPTS --entrypoint true "$1" >/dev/null 2>&1 &&
		return 0
	PODMAN_OPTS="--runtime runc $PODMAN_OPTS"
	# shellcheck disable=SC2086
	podman run --rm $PODMAN_OPTS --entrypoint true "$1" >/dev/null 2>&1 &&
		return 0
	echo "podman cannot run a container of $1 here:" >&2
	# shellcheck disable=SC2086
	podman run --rm $PODMAN_OPTS --entrypoint true "$1" >&2
	return 1
}
