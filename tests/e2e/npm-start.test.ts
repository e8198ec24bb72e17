// `npm start` as a user runs it: the embedded stack comes up with demo data, a second start
// reuses the data, Ctrl-C (SIGINT) stops everything, and a bad setting stops start-up with one line.
import { spawnSync } from 'node:child_process';
import { Connection, Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortOpen } from '../../src/infra/temporal-dev-server.js';
import { PortalVisitor } from '../support/portal.js';
import { prepareNpmStart, repoRoot as root, startNpm, stopNpm, tokenOf, type NpmStartSetup, type Started } from '../support/npm-start.js';

let setup: NpmStartSetup;
let env: Record<string, string>;
let ports: NpmStartSetup['ports'];

beforeAll(async () => {
  setup = await prepareNpmStart();
  ({ env, ports } = setup);
});
afterAll(async () => setup.cleanUp());

const start = (): Promise<Started> => startNpm(env);
const stop = stopNpm;

const api = (path: string, token?: string) => fetch(`http://127.0.0.1:${ports.api}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

describe('npm start', () => {
  let agentToken: string;

  it('brings up the API, docs, Temporal UI and demo incidents running as workflows', async () => {
    const started = await start();
    try {
      const out = started.output();
      expect(out).toContain(`http://127.0.0.1:${ports.api}/docs`);
      expect(out).toContain(`http://127.0.0.1:${ports.ui}/namespaces/default/workflows`);
      agentToken = tokenOf(out, 'agent')!;
      expect(agentToken).toMatch(/^hd_/);
      expect(tokenOf(out, 'admin')).toMatch(/^hd_/);

      // The portal's address and a demo sign-in that works.
      const base = `http://127.0.0.1:${ports.api}`;
      expect(out).toContain(`${base}/portal`);
      const demo = /Sign in to the portal as .+?:\s+(\S+@\S+)\s+password (\S+)/.exec(out);
      expect(demo, out).not.toBeNull();
      const visitor = new PortalVisitor((path, init) => fetch(`${base}${path}`, init), base);
      const signedIn = await visitor.signInWithPassword(demo![1]!, demo![2]!);
      expect(signedIn.status).toBe(303);
      expect(signedIn.location).toBe('/portal/requests');
      const requests = await visitor.get('/portal/requests');
      expect(requests.status).toBe(200);
      expect(requests.html).toMatch(/INC-\d{4}-\d{6}/); // Petra Müller's company's demo incidents (she is its customer admin)

      expect((await api('/healthz')).status).toBe(200);
      expect((await api('/docs')).status).toBe(200);
      expect(await isPortOpen('127.0.0.1', ports.ui)).toBe(true);
      const list = (await (await api('/api/incidents', agentToken)).json()) as { total: number; items: { number: string; status: string; customerNumber: string }[] };
      expect(list.total).toBe(5);
      expect(list.items.map((i) => i.status).sort()).toEqual(['assigned', 'assigned', 'new', 'new', 'resolved']);

      // Contracts and money: sales may check entitlement but not read incidents; the demo logged time against the quota.
      const salesToken = tokenOf(out, 'sales')!;
      const check = (await (await api('/api/entitlement?serialNumber=FW-FG100F-0042', salesToken)).json()) as { entitlement: { decision: string } };
      expect(check.entitlement.decision).toBe('covered');
      expect((await api('/api/incidents', salesToken)).status).toBe(403);
      const bakery = list.items.find((i) => i.customerNumber === 'K-10003')!;
      const time = (await (await api(`/api/incidents/${bakery.number}/time-entries`, agentToken)).json()) as { items: { decision: string; quotaMinutes: number }[] };
      expect(time.items.map((e) => [e.decision, e.quotaMinutes])).toEqual(expect.arrayContaining([['quota', 120], ['quota', 30]]));

      const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
      const client = new Client({ connection });
      // Visibility is eventually consistent: poll until the search attributes are indexed.
      const running = async () => {
        const ids = [];
        for await (const wf of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND CustomerNumber = 'K-10001'` })) {
          ids.push(wf.workflowId);
        }
        return ids.length;
      };
      await expect.poll(running, { timeout: 15_000, interval: 250 }).toBe(2);
      await connection.close();
    } finally {
      expect(await stop(started)).toBe(0);
    }
    for (const step of ['stopped API', 'stopped worker', 'stopped Temporal dev server', 'stopped Postgres', 'stopped.']) expect(started.output()).toContain(step);
    for (const port of Object.values(ports)) expect(await isPortOpen('127.0.0.1', port), `port ${port} still open`).toBe(false);
  });

  it('reuses the data on a second start: same incidents, same tokens, no second seed', async () => {
    const started = await start();
    try {
      expect(tokenOf(started.output(), 'agent')).toBe(agentToken);
      const list = (await (await api('/api/incidents', agentToken)).json()) as { total: number };
      expect(list.total).toBe(5);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  });

  it('stops what it had started when start-up fails half-way', async () => {
    // Postgres is up before the Temporal CLI is looked for; a missing CLI must not orphan it.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...env, TEMPORAL_CLI: '/nonexistent/temporal' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TEMPORAL_CLI=/nonexistent/temporal is not an executable file');
    expect(result.stdout).toContain('stopped Postgres');
    expect(await isPortOpen('127.0.0.1', ports.pg)).toBe(false);
  });

  it('stops start-up with one clear line on a bad setting', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...env, PORT: 'abc' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Invalid configuration: PORT="abc": .+$/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
