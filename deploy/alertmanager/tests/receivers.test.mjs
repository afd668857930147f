// Receivers on and off: renders alertmanager.yml.tmpl for each set-up below (which settings and
// secret files are given), checks the result with `amtool check-config`, runs every routing case
// of routes.txt against it with `amtool config routes test`, and checks which integrations each
// receiver got and that no secret reached the rendered file. The same for the config of the
// committed Kubernetes values (deploy/k8s/helm/alertmanager.values.yaml). Also: half an email
// set-up fails, naming the missing variable. Run by deploy/test/run.sh (amtool on PATH):
//   node deploy/alertmanager/tests/receivers.test.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'am-receivers-'));

const email = {
  SMTP_SMARTHOST: 'smtp.example.com:587',
  SMTP_FROM: 'alertmanager@example.com',
  ALERT_EMAIL_TO: 'oncall@example.com',
};
const webhooks = ['PAGER_WEBHOOK_URL', 'CHAT_WEBHOOK_URL', 'INFO_WEBHOOK_URL', 'WATCHDOG_WEBHOOK_URL'];
const setups = [
  {
    name: 'nothing given: every receiver delivers to no one',
    env: {},
    secrets: [],
    integrations: { pager: [], chat: [], info: [], watchdog: [] },
  },
  {
    name: 'everything given',
    env: { ...email, SMTP_AUTH_USERNAME: 'alertmanager', SLACK_CHANNEL: '#alerts' },
    secrets: ['PAGERDUTY_ROUTING_KEY', 'SLACK_WEBHOOK_URL', 'SMTP_AUTH_PASSWORD', ...webhooks],
    integrations: {
      pager: ['pagerduty', 'webhook'],
      chat: ['slack', 'webhook'],
      info: ['email', 'webhook'],
      watchdog: ['webhook'],
    },
  },
  {
    name: 'PagerDuty, Slack and email without authentication',
    env: { ...email, SMTP_REQUIRE_TLS: 'false', PAGERDUTY_URL: 'http://127.0.0.1:9/v2/enqueue' },
    secrets: ['PAGERDUTY_ROUTING_KEY', 'SLACK_WEBHOOK_URL'],
    integrations: { pager: ['pagerduty'], chat: ['slack'], info: ['email'], watchdog: [] },
  },
  {
    name: 'the generic webhooks only (the local stack without native receivers)',
    env: {},
    secrets: webhooks,
    integrations: { pager: ['webhook'], chat: ['webhook'], info: ['webhook'], watchdog: ['webhook'] },
  },
  {
    name: 'a blank secret file counts as not given',
    env: {},
    secrets: ['SLACK_WEBHOOK_URL'],
    blank: ['PAGERDUTY_ROUTING_KEY'],
    integrations: { pager: [], chat: ['slack'], info: [], watchdog: [] },
  },
];

const routeCases = readFileSync(join(here, 'routes.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'))
  .map((line) => {
    const [receivers, labels] = line.split('|');
    return { receivers: receivers.trim(), labels: labels.trim().split(/\s+/) };
  });

function run(command, args, env = {}) {
  return spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
}

function render(setup, dir) {
  const secretsDir = join(dir, 'secrets');
  mkdirSync(secretsDir, { recursive: true });
  for (const name of setup.secrets) writeFileSync(join(secretsDir, name), `secret-value-of-${name}\n`);
  for (const name of setup.blank ?? []) writeFileSync(join(secretsDir, name), '\n');
  const config = join(dir, 'alertmanager.yml');
  const env = { ALERTMANAGER_SECRETS_DIR: secretsDir, ...setup.env };
  // Only this set-up's settings: none inherited from the shell running the test.
  for (const name of [...Object.keys(email), 'SMTP_AUTH_USERNAME', 'SLACK_CHANNEL', 'PAGERDUTY_URL']) {
    env[name] ??= '';
  }
  const result = run('sh', [join(here, '..', 'render.sh'), join(here, '..', 'alertmanager.yml.tmpl'), config], env);
  const notifications = run(
    'sh',
    [join(here, '..', 'render.sh'), join(here, '..', 'notifications.tmpl'), join(dir, 'notifications.tmpl')],
    env,
  );
  return { config, result, notifications };
}

const failures = [];
function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}`);
  if (!ok) failures.push(`${name}${detail ? `\n${detail}` : ''}`);
}

function verify(setup, config) {
  const checked = run('amtool', ['check-config', config]);
  check(`${setup.name}: amtool check-config`, checked.status === 0, checked.stdout + checked.stderr);

  const text = readFileSync(config, 'utf8');
  check(`${setup.name}: no secret in the rendered config`, !text.includes('secret-value-of-') && !text.includes('placeholder'));
  const receivers = Object.fromEntries(parse(text).receivers.map((r) => [r.name, r]));
  for (const [receiver, expected] of Object.entries({ ...setup.integrations, null: [] })) {
    const got = Object.keys(receivers[receiver] ?? {})
      .filter((key) => key.endsWith('_configs'))
      .map((key) => key.replace(/_configs$/, ''))
      .sort();
    check(
      `${setup.name}: ${receiver} delivers to [${expected.join(', ')}]`,
      JSON.stringify(got) === JSON.stringify([...expected].sort()),
      `got [${got.join(', ')}]`,
    );
  }
  const slack = receivers.chat.slack_configs?.[0];
  if (slack) check(`${setup.name}: Slack channel only when SLACK_CHANNEL is given`, (slack.channel ?? '') === (setup.env.SLACK_CHANNEL ?? ''));
  const mail = receivers.info.email_configs?.[0];
  if (mail) {
    check(
      `${setup.name}: SMTP authentication only when given`,
      (mail.auth_username ?? '') === (setup.env.SMTP_AUTH_USERNAME ?? '') &&
        Boolean(mail.auth_password_file) === setup.secrets.includes('SMTP_AUTH_PASSWORD'),
    );
    check(`${setup.name}: require_tls defaults to true`, mail.require_tls === (setup.env.SMTP_REQUIRE_TLS !== 'false'));
  }

  const wrong = routeCases.filter(({ receivers: expected, labels }) => {
    const routed = run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${expected}`, ...labels]);
    return routed.status !== 0 && (console.error(`  ${labels.join(' ')}: ${routed.stdout.trim()}`), true);
  });
  check(`${setup.name}: all ${routeCases.length} routing cases of routes.txt`, wrong.length === 0, `${wrong.length} routed elsewhere`);
}

try {
  setups.forEach((setup, index) => {
    const dir = join(work, String(index));
    const { config, result, notifications } = render(setup, dir);
    check(`${setup.name}: renders`, result.status === 0 && notifications.status === 0, result.stderr + notifications.stderr);
    if (result.status === 0) verify(setup, config);
  });

  // Kubernetes: the generated values' config, with the keys its header names in the Secret.
  const values = parse(readFileSync(join(here, '..', '..', 'k8s', 'helm', 'alertmanager.values.yaml'), 'utf8'));
  const k8sConfig = join(work, 'k8s-alertmanager.yml');
  writeFileSync(k8sConfig, JSON.stringify(values.alertmanager.config));
  verify(
    {
      name: 'Kubernetes values (Secret keys PAGERDUTY_ROUTING_KEY, SLACK_WEBHOOK_URL, WATCHDOG_WEBHOOK_URL)',
      env: {},
      secrets: ['PAGERDUTY_ROUTING_KEY', 'SLACK_WEBHOOK_URL', 'WATCHDOG_WEBHOOK_URL'],
      integrations: { pager: ['pagerduty'], chat: ['slack'], info: [], watchdog: ['webhook'] },
    },
    k8sConfig,
  );

  // Half an email set-up is a mistake to report, not a receiver to drop silently.
  const { result } = render({ env: { SMTP_SMARTHOST: 'smtp.example.com:587', SMTP_FROM: 'a@example.com' }, secrets: [] }, join(work, 'half'));
  check(
    'SMTP_SMARTHOST without ALERT_EMAIL_TO fails, naming ALERT_EMAIL_TO',
    result.status !== 0 && result.stderr.includes('ALERT_EMAIL_TO'),
    result.stderr,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`\n${failures.length} failed:\n${failures.join('\n')}`);
  process.exit(1);
}
