<#
.SYNOPSIS
  Installs or upgrades the Izly/Crous middleware as a Windows service from the win-x64 publish output.

.DESCRIPTION
  UNTESTED: this script has never been run by the project's CI nor by its authors (the machines are Linux); read it
  before use and try it on a test machine first. The Linux install (deploy/linux/install.sh) is the tested one.

  Layout (bash deploy/publish.sh --rid win-x64): bin\ plugins\<Name>\bin scripts\ data\ logs\ plugins.json
  appsettings.json appsettings.Production.json VERSION. Like install.sh, an upgrade replaces bin\, plugins\,
  appsettings.json and VERSION, keeps the previous bin\ and plugins\ as bin.previous and plugins.previous, and keeps
  data\, logs\, plugins.json, appsettings.Production.json and scripts\ (the shipped ones beside them as *.new).
  The service runs as NT SERVICE\IzlyMiddleware (a virtual account); data\ and logs\ are given to it alone (and
  SYSTEM, Administrators), with inheritance cut; it restarts after a failure (5 s, 5 s, 30 s).

.EXAMPLE
  # As an administrator:
  .\install-service.ps1 -Layout C:\Temp\izly-middleware-win-x64 -Prefix 'C:\Program Files\IzlyMiddleware'
  Start-Service IzlyMiddleware
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$Layout,
    [string]$Prefix = 'C:\Program Files\IzlyMiddleware',
    [string]$ServiceName = 'IzlyMiddleware'   # MiddlewareHost.ServiceName
)
$ErrorActionPreference = 'Stop'

foreach ($f in 'bin\Middleware.Host.exe', 'VERSION', 'plugins.json', 'appsettings.json', 'appsettings.Production.json', 'scripts', 'plugins') {
    if (-not (Test-Path (Join-Path $Layout $f))) { throw "$Layout is not a win-x64 publish output (no $f)" }
}
$version = (Get-Content (Join-Path $Layout 'VERSION') -Raw).Trim()
$upgrade = Test-Path (Join-Path $Prefix 'bin')
Write-Host "== $(if ($upgrade) { 'upgrading' } else { 'installing' }) $version in $Prefix"
New-Item -ItemType Directory -Force -Path $Prefix | Out-Null

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
$wasRunning = $service -and $service.Status -eq 'Running'
if ($wasRunning) { Write-Host "== stopping $ServiceName"; Stop-Service -Name $ServiceName }

if ($upgrade) {
    foreach ($d in 'bin', 'plugins') {
        $previous = Join-Path $Prefix "$d.previous"
        if (Test-Path $previous) { Remove-Item -Recurse -Force $previous }
        if (Test-Path (Join-Path $Prefix $d)) { Move-Item (Join-Path $Prefix $d) $previous }
    }
    Copy-Item (Join-Path $Prefix 'VERSION') (Join-Path $Prefix 'VERSION.previous') -Force -ErrorAction SilentlyContinue
}
Copy-Item -Recurse (Join-Path $Layout 'bin') (Join-Path $Prefix 'bin')
Copy-Item -Recurse (Join-Path $Layout 'plugins') (Join-Path $Prefix 'plugins')
Copy-Item (Join-Path $Layout 'appsettings.json'), (Join-Path $Layout 'VERSION') $Prefix -Force

# The site's own files: copied on a first install, kept on an upgrade.
foreach ($f in 'plugins.json', 'appsettings.Production.json') {
    $target = Join-Path $Prefix $f
    if (Test-Path $target) { Copy-Item (Join-Path $Layout $f) "$target.new" -Force } else { Copy-Item (Join-Path $Layout $f) $target }
}
$scripts = Join-Path $Prefix 'scripts'
if (Test-Path $scripts) {
    if (Test-Path "$scripts.new") { Remove-Item -Recurse -Force "$scripts.new" }
    Copy-Item -Recurse (Join-Path $Layout 'scripts') "$scripts.new"
} else {
    Copy-Item -Recurse (Join-Path $Layout 'scripts') $scripts
}

$binary = Join-Path $Prefix 'bin\Middleware.Host.exe'
$command = "`"$binary`" --contentRoot=`"$Prefix`" --Host:Mode=windows-service"
if (-not $service) {
    Write-Host "== creating the service $ServiceName"
    New-Service -Name $ServiceName -BinaryPathName $command -DisplayName 'Izly/Crous POS middleware' -StartupType Automatic `
        -Description 'Till pipe, Izly payments and VEM tickets (Izly/Crous middleware)' | Out-Null
    # A virtual account of its own: NT SERVICE\<name>, no password, rights only where given below.
    & sc.exe config $ServiceName obj= "NT SERVICE\$ServiceName" | Out-Null
} else {
    & sc.exe config $ServiceName binPath= $command | Out-Null
}
# Restart after a failure: 5 s, 5 s, then 30 s; the failure count resets after a day. The host's stop budget is 30 s.
& sc.exe failure $ServiceName reset= 86400 actions= restart/5000/restart/5000/restart/30000 | Out-Null
& sc.exe failureflag $ServiceName 1 | Out-Null

# data\ and logs\: the service account, SYSTEM and Administrators only, inheritance removed (the stores hold names and
# card numbers; the host refuses files others may write).
foreach ($d in 'data', 'logs') {
    $path = Join-Path $Prefix $d
    New-Item -ItemType Directory -Force -Path $path | Out-Null
    & icacls.exe $path /inheritance:r /grant:r "NT SERVICE\${ServiceName}:(OI)(CI)M" 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls failed on $path" }
}

if ($wasRunning) { Write-Host "== starting $ServiceName"; Start-Service -Name $ServiceName }
Write-Host "== installed $version in $Prefix"
if (-not $upgrade) { Write-Host "== configure $Prefix\appsettings.Production.json (points of sale, CrousApis URLs) and the secrets, then: Start-Service $ServiceName" }
