#!/usr/bin/env bash
# Installs or upgrades the middleware on a Linux site machine from the INSTALL LAYOUT made by deploy/publish.sh.
#   sudo bash deploy/linux/install.sh [--prefix DIR] [--user NAME] [--no-systemd] LAYOUT
#   sudo bash deploy/linux/install.sh [--prefix DIR] [--no-systemd] --rollback
# --prefix      where to install; default /opt/izly-middleware
# --user        the account the host runs as and that owns data/ and logs/; default izly-middleware (created as a system
#               account when missing); with --no-systemd the default is the account running this script
# --no-systemd  do not install, stop or start the systemd unit (console mode: run bin/Middleware.Host yourself)
# --rollback    put back the previous install's bin/ and plugins/ (bin.previous, plugins.previous), swapping them
# A first install copies everything. An upgrade replaces bin/, plugins/<Name>/bin, appsettings.json and VERSION, keeps
# the previous bin/ and plugins/ as bin.previous and plugins.previous, and keeps what belongs to the site: data/, logs/,
# plugins.json, appsettings.Production.json and scripts/ (the shipped ones are put beside them as *.new to compare).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix=/opt/izly-middleware user="" systemd=1 rollback=0 layout=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --no-systemd) systemd=0; shift ;;
    --rollback) rollback=1; shift ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) layout="$1"; shift ;;
  esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path" >&2; exit 2 ;; esac
prefix="${prefix%/}"
unit=izly-middleware
unit_file="/etc/systemd/system/$unit.service"
if [ -z "$user" ]; then
  if [ "$systemd" = 1 ]; then user=izly-middleware; else user="$(id -un)"; fi
fi
[ "$systemd" = 0 ] || [ "$(id -u)" = 0 ] || { echo "install.sh: run as root to install the systemd unit (or --no-systemd)" >&2; exit 2; }
log() { printf '== %s\n' "$*"; }

service_active() { [ "$systemd" = 1 ] && systemctl is-active --quiet "$unit" 2>/dev/null; }

if [ "$rollback" = 1 ]; then
  [ -d "$prefix/bin.previous" ] || { echo "install.sh: no $prefix/bin.previous to roll back to" >&2; exit 1; }
  was_active=0; if service_active; then was_active=1; log "stopping $unit"; systemctl stop "$unit"; fi
  for d in bin plugins; do
    [ -d "$prefix/$d.previous" ] || continue
    mv "$prefix/$d" "$prefix/$d.rollback-tmp" && mv "$prefix/$d.previous" "$prefix/$d" && mv "$prefix/$d.rollback-tmp" "$prefix/$d.previous"
  done
  [ -f "$prefix/VERSION.previous" ] && { mv "$prefix/VERSION" "$prefix/VERSION.tmp"; mv "$prefix/VERSION.previous" "$prefix/VERSION"; mv "$prefix/VERSION.tmp" "$prefix/VERSION.previous"; }
  log "rolled back to $(cat "$prefix/VERSION" 2>/dev/null || echo '?') (the other version is now *.previous)"
  [ "$was_active" = 1 ] && { log "starting $unit"; systemctl start "$unit"; }
  exit 0
fi

[ -n "$layout" ] || { echo "install.sh: give the publish output (deploy/publish.sh --out) as LAYOUT" >&2; exit 2; }
layout="$(cd "$layout" && pwd)"
for f in bin/Middleware.Host VERSION plugins.json appsettings.json appsettings.Production.json scripts plugins; do
  [ -e "$layout/$f" ] || { echo "install.sh: $layout is not a publish output (no $f)" >&2; exit 1; }
done
version="$(cat "$layout/VERSION")"

if [ "$systemd" = 1 ] && ! id -u "$user" >/dev/null 2>&1; then
  log "creating the system account $user"
  useradd --system --user-group --home-dir "$prefix/data" --no-create-home --shell /usr/sbin/nologin "$user"
fi
group="$(id -gn "$user")"

upgrade=0; [ -d "$prefix/bin" ] && upgrade=1
if [ "$upgrade" = 1 ]; then log "upgrading $prefix from $(cat "$prefix/VERSION" 2>/dev/null || echo '?') to $version"; else log "installing $version into $prefix"; fi
mkdir -p "$prefix"
chmod 0755 "$prefix"

# New binaries are copied beside the old ones first: the service is stopped only for the two renames.
rm -rf "$prefix/bin.new" "$prefix/plugins.new"
cp -a "$layout/bin" "$prefix/bin.new"
cp -a "$layout/plugins" "$prefix/plugins.new"
was_active=0
if service_active; then was_active=1; log "stopping $unit"; systemctl stop "$unit"; fi
if [ "$upgrade" = 1 ]; then
  rm -rf "$prefix/bin.previous" "$prefix/plugins.previous"
  mv "$prefix/bin" "$prefix/bin.previous"
  [ -d "$prefix/plugins" ] && mv "$prefix/plugins" "$prefix/plugins.previous"
  [ -f "$prefix/VERSION" ] && cp -p "$prefix/VERSION" "$prefix/VERSION.previous"
fi
mv "$prefix/bin.new" "$prefix/bin"
mv "$prefix/plugins.new" "$prefix/plugins"
cp "$layout/appsettings.json" "$layout/VERSION" "$prefix/"

# The site's own files: copied on a first install, kept on an upgrade (the shipped ones beside them to compare).
for f in plugins.json appsettings.Production.json; do
  if [ -f "$prefix/$f" ]; then
    cmp -s "$layout/$f" "$prefix/$f" || cp "$layout/$f" "$prefix/$f.new"
  else
    cp "$layout/$f" "$prefix/$f"
  fi
done
if [ -d "$prefix/scripts" ]; then
  rm -rf "$prefix/scripts.new"; cp -a "$layout/scripts" "$prefix/scripts.new"
else
  cp -a "$layout/scripts" "$prefix/scripts"
fi

# Code and settings belong to root (the service cannot change what it runs); data/ and logs/ to the service, 0700.
mkdir -p "$prefix/data" "$prefix/logs"
if [ "$(id -u)" = 0 ]; then
  chown -R root:root "$prefix/bin" "$prefix/plugins" "$prefix/scripts" "$prefix/appsettings.json" "$prefix/VERSION"
  chown root:"$group" "$prefix/plugins.json" "$prefix/appsettings.Production.json"
  chmod 0640 "$prefix/plugins.json" "$prefix/appsettings.Production.json"
  chown "$user:$group" "$prefix/data" "$prefix/logs"
fi
chmod -R go-w "$prefix/bin" "$prefix/plugins" "$prefix/scripts"
chmod 0700 "$prefix/data" "$prefix/logs"

if [ "$systemd" = 1 ]; then
  log "installing $unit_file"
  sed -e "s#/opt/izly-middleware#$prefix#g" -e "s#^User=.*#User=$user#" -e "s#^Group=.*#Group=$group#" "$here/izly-middleware.service" > "$unit_file"
  chmod 0644 "$unit_file"
  install -d -m 0755 /etc/izly-middleware
  if [ ! -f /etc/izly-middleware/env ]; then
    # Secrets of the site (README "Configuration"), read by systemd as root: mode 600.
    ( umask 077; printf '%s\n' "# MW_VEM_INSTALLATION_KEY_5_1_9_8_14=..." "# MW_VEM_OAUTH_CLIENT_SECRET=..." "# MW_SECRETS_FILE=/etc/izly-middleware/secrets.json" > /etc/izly-middleware/env )
  fi
  systemctl daemon-reload
  systemctl enable "$unit" >/dev/null
  if [ "$was_active" = 1 ]; then log "starting $unit"; systemctl start "$unit"; fi
fi
log "installed $version in $prefix$([ "$upgrade" = 1 ] && echo " (previous binaries in bin.previous; rollback: install.sh --rollback --prefix $prefix)")"
if [ "$upgrade" = 0 ]; then
  if [ "$systemd" = 1 ]; then
    log "configure $prefix/appsettings.Production.json (points of sale, CrousApis URLs) and /etc/izly-middleware/env, then: systemctl start $unit"
  else
    log "configure $prefix/appsettings.Production.json, then run: $prefix/bin/Middleware.Host --contentRoot=$prefix"
  fi
fi
