# SPDX-License-Identifier: GPL-3.0-or-later
# mediamon in a container. The build stage makes the Debian package
# (debian/); the runtime stage installs it, and so gets only the libraries
# the package depends on, as Debian ships them; the image is that system
# without its package manager. make image builds it with podman from a
# Debian 12 base made locally with debootstrap (BASE); debian:bookworm-slim
# from a registry does as well. Run it as contrib/docker-compose.yml does:
# it needs /dev/fuse, CAP_SYS_ADMIN and the mount point shared with the
# host.
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
# The build dependencies first, from debian/control alone, so that this
# layer outlives changes to the source.
COPY debian/control /src/debian/control
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && apt-get satisfy -y --no-install-recommends "$(awk \
	'/^[A-Za-z-]+:/ { f = /^Build-Depends:/ } \
	 f { sub(/^Build-Depends:/, ""); printf "%s", $0 }' \
	/src/debian/control)"
COPY . /src
RUN cd /src && dpkg-buildpackage -b -us -uc -j2 \
 && mv /mediamon_*.deb /mediamon.deb

# The base brought up to date (its sources name the security suite:
# contrib/debian-base.sh) and the package installed, without recommends,
# documentation, manual pages or translations
# (contrib/container/dpkg-excludes.cfg), nor apt's lists.
# Still a Debian system with apt: `build --target runtime` gives an image
# that packages can be added to (without the entrypoint, volume and health
# check, which the last stage sets).
FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
COPY contrib/container/dpkg-excludes.cfg /etc/dpkg/dpkg.cfg.d/mediamon
RUN --mount=type=bind,from=build,source=/mediamon.deb,target=/tmp/mediamon.deb \
	apt-get update \
 && apt-get upgrade -y --no-install-recommends \
 && apt-get install -y --no-install-recommends /tmp/mediamon.deb \
	ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && mkdir -p /mnt/mediamon /music /manga

# What installs packages goes, what runs stays: the files of apt, dpkg,
# debconf, adduser and perl (which only their scripts run), and their
# databases, caches and logs; and what dpkg's excludes keep out, should the
# base hold it (a BASE imported whole).
FROM runtime AS stripped
RUN dpkg-query -L apt libapt-pkg6.0 gpgv debian-archive-keyring adduser \
	debconf perl-base dpkg | while read -r f; do \
		[ -d "$f" ] || rm -f "$f"; done \
 && rm -rf /var/lib/dpkg /var/lib/apt /var/cache/apt /var/cache/debconf \
	/etc/apt /etc/dpkg /var/log/apt /var/log/dpkg.log \
	/var/log/alternatives.log /usr/share/man /usr/share/info \
	/usr/share/locale \
 && find /usr/share/doc -type f ! -name copyright -delete

# One layer: the files the layers above took out are not in it.
FROM scratch
COPY --from=stripped / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The store, its backups and the logs of the analysis: keep them.
VOLUME ["/var/lib/mediamon"]
# Healthy while the mount answers and status/health ("ok", or a line per
# problem) holds no error; warnings (a paused service) are not a reason to
# restart.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
	CMD h=$(cat /mnt/mediamon/status/health) && \
		! printf '%s\n' "$h" | grep -q '^error'
# No EXPOSE: the [http] listener is off unless the configuration sets
# listen; then publish its port (listen = 0.0.0.0:8080, run -p
# 127.0.0.1:8080:8080, or ports: in the compose file).
# The options after the image's name in `run` (CMD) replace the
# configuration file; -o music=DIR -o manga=DIR run without one.
ENTRYPOINT ["mediamon", "-f", "-o", "allow_other", \
	"-o", "db=/var/lib/mediamon/mediamon.db", "/mnt/mediamon"]
CMD ["-o", "config=/etc/mediamon/mediamon.conf"]
