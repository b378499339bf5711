# scripts/deps.sh: sourced by test.sh and demo.sh.  Installs the Debian and
# npm packages licgate needs, only what is missing, on Debian 12.

# Debian 12 (bookworm) packages: build tools, the libraries README.md's
# "Build by hand" names, Check, and the tools the tests and benchmarks drive
# (the Cortex-M cross compiler, its C library and QEMU for tests/device.sh;
# python3-cryptography and python3-cbor2 for tests/cose/verify_es256.py).
LG_APT_PACKAGES="build-essential autoconf automake libtool pkg-config
 libsecp256k1-dev nettle-dev libcurl4-openssl-dev libjansson-dev
 libsqlite3-dev libmicrohttpd-dev check sqlite3 curl ca-certificates
 clang libclang-rt-14-dev wrk python3-cryptography python3-cbor2
 gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"

lg_sudo() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

lg_install_apt() {
	local missing="" p
	for p in $LG_APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		missing="$missing nodejs npm"
	fi
	[ -z "$missing" ] && return 0
	echo "==> installing Debian packages:$missing"
	lg_sudo apt-get update -qq
	lg_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing
}

# npm packages for the test tooling (anvil, solc, ethers, cbor), each folder
# tests/*/ with a package-lock.json pinning them; reinstalled only when its
# lock file changes.
lg_install_npm() {
	local lock dir
	for lock in tests/*/package-lock.json; do
		[ -f "$lock" ] || continue
		dir=$(dirname "$lock")
		if [ -d "$dir/node_modules" ] &&
		   cmp -s "$lock" "$dir/node_modules/.lg-lock"; then
			continue
		fi
		echo "==> installing npm packages pinned by $lock"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) &&
			cp "$lock" "$dir/node_modules/.lg-lock" || return 1
	done
}

lg_install_deps() {
	lg_install_apt
	lg_install_npm
}
