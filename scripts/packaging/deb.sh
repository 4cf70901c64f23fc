# Shared by package.sh and plugin-deb.sh (bash; source it): a .deb from a staging directory.

# deb_depends FILE...: the Debian packages holding the shared libraries FILE links to (as ldd
# resolves them here), comma-separated; the library must come from a package.
deb_depends() {
    ldd "$@" | awk '/=> \// { print $3 }' | sort -u | while read -r lib; do
        dpkg -S "$(realpath "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || { echo "deb: no package holds $lib" >&2; exit 1; }
    done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g'
}

# deb_build STAGING OUT_DIR NAME VERSION DEPENDS DESCRIPTION [EXTENDED LINES...]: writes
# OUT_DIR/NAME_VERSION_ARCH.deb from STAGING (which holds the installed tree), prints its path.
deb_build() {
    local staging=$1 out=$2 name=$3 version=$4 depends=$5 summary=$6; shift 6
    local arch size
    arch=$(dpkg --print-architecture)
    size=$(du -sk --exclude=DEBIAN "$staging" | cut -f1)
    mkdir -p "$staging/DEBIAN" "$out"
    {
        echo "Package: $name"
        echo "Version: $version"
        echo "Architecture: $arch"
        echo "Maintainer: pgtrail developers <pgtrail@localhost>"
        echo "Section: database"
        echo "Priority: optional"
        echo "Installed-Size: $size"
        echo "Depends: $depends"
        echo "Description: $summary"
        for line in "$@"; do echo " $line"; done
    } > "$staging/DEBIAN/control"
    (cd "$staging" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | xargs -0 -r md5sum) > "$staging/DEBIAN/md5sums"
    find "$staging" -type d -exec chmod 755 {} +
    dpkg-deb --root-owner-group -Zxz --build "$staging" "$out/${name}_${version}_${arch}.deb" >/dev/null
    echo "$out/${name}_${version}_${arch}.deb"
}
