# install.ps1: the composite action's install step on Windows, in Windows
# PowerShell 5.1 or PowerShell 7. It does what install.sh does: puts the
# release's cloudflare-purge binary for this runner in the tool cache,
# checked against the SHA-256 that action.yml pins, and writes its path as
# the step's output "path". Nothing runs unless the checksum matches.
#
# Environment: as install.sh (CLOUDFLARE_PURGE_DOWNLOAD, _VERSION, _SHA256,
# RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT).
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue' # the progress bar slows downloads tenfold

function Fail([string]$Message) {
    Write-Output "::error title=cloudflare-purge install::$Message"
    exit 1
}

$version = "$env:CLOUDFLARE_PURGE_VERSION"
$base = "$env:CLOUDFLARE_PURGE_DOWNLOAD"
$sums = "$env:CLOUDFLARE_PURGE_SHA256"

if ($version -eq '' -or $version -eq 'unreleased') {
    Fail "this action.yml is not a release's: it pins no binary. Use a release, such as cloudflare-purge/cloudflare-purge/binary@v1."
}
if ($version -notmatch '^v[0-9]') {
    Fail "CLOUDFLARE_PURGE_VERSION $version is not a release tag (v1.2.3)."
}

switch ("$env:RUNNER_OS") {
    'Windows' { $os = 'windows'; $exe = '.exe' }
    'Linux' { $os = 'linux'; $exe = '' }
    'macOS' { $os = 'darwin'; $exe = '' }
    default { Fail "no cloudflare-purge binary for runner.os ${env:RUNNER_OS}: releases have Linux, macOS and Windows." }
}
switch ("$env:RUNNER_ARCH") {
    'X64' { $arch = 'amd64' }
    'ARM64' { $arch = 'arm64' }
    default { Fail "no cloudflare-purge binary for runner.arch $env:RUNNER_ARCH on ${env:RUNNER_OS}: releases have X64 and ARM64." }
}
$asset = "cloudflare-purge-$os-$arch$exe"

$want = ''
foreach ($line in ($sums -split "`r?`n")) {
    $f = -split $line
    if ($f.Count -ge 2 -and ($f[1] -eq $asset -or $f[1] -eq "*$asset")) { $want = $f[0].ToLowerInvariant(); break }
}
if ($want -eq '') {
    Fail "release $version pins no binary for $env:RUNNER_OS/$env:RUNNER_ARCH ($asset): use another release."
}
if ($want -notmatch '^[0-9a-f]{64}$') {
    Fail "the pinned SHA-256 of $asset is not 64 hexadecimal digits: $want"
}

function Get-Sha256([string]$Path) {
    (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant()
}

$cache = "$env:RUNNER_TOOL_CACHE"
if ($cache -eq '') { $cache = "$env:RUNNER_TEMP" }
if ($cache -eq '') { $cache = [System.IO.Path]::GetTempPath() }
$dir = Join-Path (Join-Path (Join-Path $cache 'cloudflare-purge') $version.Substring(1)) $arch
$bin = Join-Path $dir "cloudflare-purge$exe"
$complete = "$dir.complete"

if ((Test-Path -LiteralPath $complete) -and (Test-Path -LiteralPath $bin) -and ((Get-Sha256 $bin) -eq $want)) {
    Write-Output "cloudflare-purge $version ($os/$arch) from the tool cache: $bin"
} else {
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    Remove-Item -Force -ErrorAction SilentlyContinue -LiteralPath $complete
    $tmp = Join-Path $dir ("download." + [System.IO.Path]::GetRandomFileName())
    $url = $base.TrimEnd('/') + "/$version/$asset"
    Write-Output "Downloading $url"
    try {
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        Invoke-WebRequest -UseBasicParsing -Uri $url -OutFile $tmp -TimeoutSec 300
    } catch {
        Remove-Item -Force -ErrorAction SilentlyContinue -LiteralPath $tmp
        Fail "cannot download ${url}: the release may have no binary for $env:RUNNER_OS/$env:RUNNER_ARCH, or the network is down ($($_.Exception.Message))."
    }
    $got = Get-Sha256 $tmp
    if ($got -ne $want) {
        Remove-Item -Force -ErrorAction SilentlyContinue -LiteralPath $tmp
        Fail "checksum mismatch for $asset of ${version}: got $got, action.yml pins $want. Nothing was run; the download is deleted."
    }
    Move-Item -Force -LiteralPath $tmp -Destination $bin
    New-Item -ItemType File -Force -Path $complete | Out-Null
    Write-Output "cloudflare-purge $version ($os/$arch) installed: $bin (sha256 $got)"
}

if ("$env:GITHUB_OUTPUT" -ne '') {
    # UTF-8 without a byte order mark, which the runner would read as part of the name.
    [System.IO.File]::AppendAllText($env:GITHUB_OUTPUT, "path=$bin`n", (New-Object System.Text.UTF8Encoding $false))
} else {
    Write-Output "path=$bin"
}
