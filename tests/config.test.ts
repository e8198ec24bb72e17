import { describe, expect, it } from 'vitest';
import { ConfigError, defaultMaxCachedWorkflows, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults for the embedded stack', () => {
    expect(loadConfig({})).toMatchObject({ PORT: 3000, TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_UI_PORT: 8233, DATA_DIR: '.data', SEED_DEMO_DATA: true });
  });

  it('coerces numbers and booleans and treats empty values as unset', () => {
    const config = loadConfig({ PORT: '8080', SEED_DEMO_DATA: 'false', DATABASE_URL: '' });
    expect(config).toMatchObject({ PORT: 8080, SEED_DEMO_DATA: false });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reads billing rates as integer cents', () => {
    const config = loadConfig({ DEFAULT_HOURLY_RATES: '{"remote":10000,"onsite":12000,"travel":5000}', INTERNAL_COST_RATES: '{"agent":4000}' });
    expect(config.DEFAULT_HOURLY_RATES).toEqual({ remote: 10000, onsite: 12000, travel: 5000 });
    expect(config.INTERNAL_COST_RATES).toEqual({ agent: 4000 });
    expect(loadConfig({}).DEFAULT_HOURLY_RATES).toEqual({ remote: 9500, onsite: 11500, travel: 6500 });
  });

  it('bounds the worker\'s workflow cache by default and leaves its concurrency to the SDK', () => {
    const config = loadConfig({});
    expect(config.WORKER_MAX_CACHED_WORKFLOWS).toBe(defaultMaxCachedWorkflows);
    expect(defaultMaxCachedWorkflows).toBeGreaterThanOrEqual(100);
    expect(defaultMaxCachedWorkflows).toBeLessThan(2310); // the SDK's own default with a 4 GiB heap, which ran out of memory
    expect(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS).toBeUndefined();
    expect(config.WORKER_MAX_CONCURRENT_ACTIVITIES).toBeUndefined();
  });

  it('reads the worker\'s cache and concurrency limits', () => {
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '250', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20', WORKER_MAX_CONCURRENT_ACTIVITIES: '50' })).toMatchObject({
      WORKER_MAX_CACHED_WORKFLOWS: 250,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 20,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 50,
    });
    // 0 turns the cache off: every workflow task replays the history.
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(0);
  });

  it('serves no metrics and leaves /metrics open unless told otherwise', () => {
    for (const config of [loadConfig({}), loadConfig({ WORKER_METRICS_ADDRESS: '', METRICS_TOKEN: '' })]) {
      expect(config.WORKER_METRICS_ADDRESS).toBeUndefined();
      expect(config.METRICS_TOKEN).toBeUndefined();
    }
    expect(loadConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', METRICS_TOKEN: 'scrape-token-0123456789' })).toMatchObject({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', METRICS_TOKEN: 'scrape-token-0123456789' });
    expect(loadConfig({ WORKER_METRICS_ADDRESS: '[::]:9464' }).WORKER_METRICS_ADDRESS).toBe('[::]:9464');
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT="abc": /],
    [{ PORT: '70000' }, /PORT="70000"/],
    [{ TEMPORAL_ADDRESS: 'localhost' }, /TEMPORAL_ADDRESS="localhost": expected host:port/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ SEED_DEMO_DATA: 'maybe' }, /SEED_DEMO_DATA/],
    [{ BUSINESS_TIMEZONE: 'Europe/Atlantis' }, /BUSINESS_TIMEZONE="Europe\/Atlantis": expected an IANA time zone/],
    [{ DEFAULT_HOURLY_RATES: '{"remote":95.5,"onsite":1,"travel":1}' }, /DEFAULT_HOURLY_RATES=.*expected int/],
    [{ DEFAULT_HOURLY_RATES: '{"remote":9500}' }, /DEFAULT_HOURLY_RATES=/],
    [{ DEFAULT_HOURLY_RATES: 'cheap' }, /DEFAULT_HOURLY_RATES="cheap": expected a JSON object/],
    [{ INTERNAL_COST_RATES: '{"intern":100}' }, /INTERNAL_COST_RATES=/],
    [{ INTERNAL_COST_RATES: '{"agent":-1}' }, /INTERNAL_COST_RATES=/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }, /^Invalid configuration: WORKER_MAX_CACHED_WORKFLOWS="lots": .*expected number/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '-1' }, /^Invalid configuration: WORKER_MAX_CACHED_WORKFLOWS="-1": /],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '2.5' }, /^Invalid configuration: WORKER_MAX_CACHED_WORKFLOWS="2.5": .*expected int/],
    [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }, /^Invalid configuration: WORKER_MAX_CONCURRENT_WORKFLOW_TASKS="1": Too small/],
    [{ WORKER_METRICS_ADDRESS: '9464' }, /^Invalid configuration: WORKER_METRICS_ADDRESS="9464": expected ip:port/],
    [{ WORKER_METRICS_ADDRESS: 'localhost:9464' }, /^Invalid configuration: WORKER_METRICS_ADDRESS="localhost:9464": expected ip:port/],
    [{ WORKER_METRICS_ADDRESS: '0.0.0.0:99999' }, /^Invalid configuration: WORKER_METRICS_ADDRESS="0.0.0.0:99999": expected a port/],
    [{ METRICS_TOKEN: 'short' }, /^Invalid configuration: METRICS_TOKEN="short": expected at least 16 characters/],
    [{ WORKER_MAX_CONCURRENT_ACTIVITIES: 'ten' }, /^Invalid configuration: WORKER_MAX_CONCURRENT_ACTIVITIES="ten": /],
  ])('rejects %j with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
