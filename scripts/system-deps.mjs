// Installs the system packages the test suite drives for real (Debian's apt), when missing:
// chromium for the HTML report tests, OpenStack Swift (S3 API) and memcached for the S3 storage tests. Without root or
// apt, nothing is installed and those tests skip, saying why. Set DIFY_LOGS_SKIP_APT=1 to never touch apt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = [
  { name: 'chromium', probe: '/usr/bin/chromium', for: 'HTML report tests in a real browser' },
  ...['swift', 'swift-proxy', 'swift-account', 'swift-container', 'swift-object', 'python3-swift'].map((name) => ({
    name,
    probe: '/usr/bin/swift-proxy-server',
    for: 'S3 storage tests against OpenStack Swift',
  })),
  { name: 'memcached', probe: '/usr/bin/memcached', for: 'Swift tempauth' },
];

export function ensureSystemPackages() {
  const missing = PACKAGES.filter((entry) => !existsSync(entry.probe));
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((entry) => entry.name))];
  const canInstall =
    process.env.DIFY_LOGS_SKIP_APT !== '1' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.warn(
      `system packages missing: ${names.join(', ')} (` +
        `${[...new Set(missing.map((entry) => entry.for))].join('; ')}); their tests will skip`,
    );
    return;
  }
  console.log(`installing ${names.join(', ')} with apt-get (once per machine)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) console.warn(`apt-get could not install ${names.join(', ')}; their tests will skip`);
}
