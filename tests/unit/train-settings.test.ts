import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { BATCH_SIZES } from '../../lib/train/protocol.ts';
import type { TrainSettings } from '../../lib/train/protocol.ts';
import { DEFAULT_SETTINGS, MAX_NET_QUERY_CHARS, checkSettings, settingsFromQuery, settingsToQuery } from '../../lib/train/settings.ts';

const SEED_NET = 'c32k2s2p0,c64k2s2p1,c128k2s2p0,f,d250,d10';
const OVERLAP_NET = 'c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10';

const withOptimizer = (changes: Record<string, unknown>) => ({
  ...DEFAULT_SETTINGS,
  optimizer: { ...DEFAULT_SETTINGS.optimizer, ...changes },
});

function rejection(settings: unknown): ConvConfigError {
  try {
    checkSettings(settings);
  } catch (error) {
    expect(error).toBeInstanceOf(ConvConfigError);
    return error as ConvConfigError;
  }
  throw new Error('checkSettings accepted invalid settings');
}

describe('default settings', () => {
  it('are the seed CNN on the auto backend, Adam lr 0.001 momentum 0.9, batch 64, 2 epochs, seed 1', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      net: SEED_NET,
      backend: 'auto',
      optimizer: { kind: 'adam', learningRate: 0.001, momentum: 0.9 },
      batchSize: 64,
      epochs: 2,
      seed: 1,
    });
    expect(checkSettings(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });
});

describe('checkSettings', () => {
  it('accepts the ends of every range', () => {
    for (const s of [
      withOptimizer({ learningRate: 1, momentum: 0 }),
      { ...withOptimizer({ learningRate: 1e-6, momentum: 0.999 }), epochs: 50, seed: 2 ** 32 - 1 },
      { ...DEFAULT_SETTINGS, epochs: 1, seed: 0, net: OVERLAP_NET, backend: 'cpu' },
      ...BATCH_SIZES.map((batchSize) => ({ ...DEFAULT_SETTINGS, batchSize })),
    ]) {
      expect(checkSettings(s)).toEqual(s);
    }
  });

  const cases: [string, unknown, string, RegExp][] = [
    [
      'learning rate 0',
      withOptimizer({ learningRate: 0 }),
      'optimizer.learningRate',
      /learningRate must be a number in \[1e-6, 1\], got 0/,
    ],
    ['learning rate 1.5', withOptimizer({ learningRate: 1.5 }), 'optimizer.learningRate', /got 1\.5/],
    ['learning rate NaN', withOptimizer({ learningRate: Number.NaN }), 'optimizer.learningRate', /got NaN/],
    ['momentum 1', withOptimizer({ momentum: 1 }), 'optimizer.momentum', /momentum must be a number in \[0, 1\), got 1/],
    ['momentum −0.1', withOptimizer({ momentum: -0.1 }), 'optimizer.momentum', /got -0\.1/],
    ['optimizer rmsprop', withOptimizer({ kind: 'rmsprop' }), 'optimizer.kind', /"sgd", "adam", got "rmsprop"/],
    ['batch 48', { ...DEFAULT_SETTINGS, batchSize: 48 }, 'batchSize', /one of 16, 32, 64, 128, got 48/],
    ['epochs 0', { ...DEFAULT_SETTINGS, epochs: 0 }, 'epochs', /integer in \[1, 50\], got 0/],
    ['epochs 51', { ...DEFAULT_SETTINGS, epochs: 51 }, 'epochs', /got 51/],
    ['epochs 1.5', { ...DEFAULT_SETTINGS, epochs: 1.5 }, 'epochs', /got 1\.5/],
    ['seed −1', { ...DEFAULT_SETTINGS, seed: -1 }, 'seed', /integer in \[0, 4294967295\], got -1/],
    ['seed 2^32', { ...DEFAULT_SETTINGS, seed: 2 ** 32 }, 'seed', /got 4294967296/],
    ['net lenet', { ...DEFAULT_SETTINGS, net: 'lenet' }, 'net', /net layer 1 "lenet" must be cOUTkKsSpP/],
    ['no net', { ...DEFAULT_SETTINGS, net: undefined }, 'net', /net must list at least one layer/],
    [
      'a 7×7 kernel on a 4×4 map',
      { ...DEFAULT_SETTINGS, net: 'c8k5s6p0,c8k7s1p0,f,d10' },
      'kernel',
      /kernel 7×7 does not fit the padded input 4×4/,
    ],
    ['backend gpu', { ...DEFAULT_SETTINGS, backend: 'gpu' }, 'backend', /"auto", "webgl", "cpu", got "gpu"/],
    ['no optimizer', { ...DEFAULT_SETTINGS, optimizer: null }, 'optimizer', /optimizer must be an object/],
  ];
  for (const [name, settings, parameter, message] of cases) {
    it(`rejects ${name}, naming ${parameter}`, () => {
      const error = rejection(settings);
      expect(error.parameter).toBe(parameter);
      expect(error.message).toMatch(message);
    });
  }
});

describe('settings in the URL query', () => {
  it('an empty query gives the defaults and no problems', () => {
    expect(settingsFromQuery(new URLSearchParams(''))).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });

  it('reads every field', () => {
    const { settings, problems } = settingsFromQuery(
      new URLSearchParams(
        'net=c8k3s1p1,c16k3s2p1,c32k3s2p1,f,d64,d10&backend=cpu&optimizer=sgd&lr=0.05&momentum=0.5&batch=32&epochs=7&seed=42',
      ),
    );
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      net: OVERLAP_NET,
      backend: 'cpu',
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.5 },
      batchSize: 32,
      epochs: 7,
      seed: 42,
    });
  });

  it('keeps the default for an invalid value and reports it with the check message', () => {
    const { settings, problems } = settingsFromQuery(new URLSearchParams('lr=abc&batch=100&epochs=3&backend='));
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, epochs: 3 });
    expect(problems.map((p) => [p.key, p.value])).toEqual([
      ['backend', ''],
      ['lr', 'abc'],
      ['batch', '100'],
    ]);
    expect(problems[1].message).toMatch(/learningRate must be a number in \[1e-6, 1\], got NaN/);
    expect(problems[2].message).toMatch(/batchSize must be one of 16, 32, 64, 128, got 100/);
  });

  it('writes only the fields that differ from the defaults', () => {
    expect(settingsToQuery(DEFAULT_SETTINGS).toString()).toBe('');
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, epochs: 5, seed: 9 }).toString()).toBe('epochs=5&seed=9');
  });

  it('round-trips any valid settings', () => {
    const samples: TrainSettings[] = [
      {
        net: OVERLAP_NET,
        backend: 'webgl',
        optimizer: { kind: 'sgd', learningRate: 0.0123, momentum: 0 },
        batchSize: 128,
        epochs: 50,
        seed: 4294967295,
      },
      { ...DEFAULT_SETTINGS, optimizer: { kind: 'adam', learningRate: 1, momentum: 0.25 }, batchSize: 16 },
      { ...DEFAULT_SETTINGS, net: 'c16k3s1p1l,c32k5s2p2,f,d64l,d10' },
    ];
    for (const s of samples) {
      expect(settingsFromQuery(new URLSearchParams(settingsToQuery(s).toString()))).toEqual({ settings: s, problems: [] });
    }
  });

  it('lr has the documented range [1e-6, 1]: 1e-6 and 1 are taken, 1e-320 and 9e-7 refused', () => {
    expect(settingsFromQuery(new URLSearchParams('lr=1e-6')).settings.optimizer.learningRate).toBe(1e-6);
    expect(settingsFromQuery(new URLSearchParams('lr=1')).settings.optimizer.learningRate).toBe(1);
    for (const raw of ['1e-320', '9e-7', '0']) {
      const { settings, problems } = settingsFromQuery(new URLSearchParams({ lr: raw }));
      expect(settings.optimizer.learningRate).toBe(DEFAULT_SETTINGS.optimizer.learningRate);
      expect(problems[0].message).toMatch(/optimizer\.learningRate must be a number in \[1e-6, 1\]/);
    }
  });

  // Hostile trainer links: each falls back to the default with one short problem, fast, and the
  // settings written back carry none of it.
  const HOSTILE_QUERY: [string, string][] = [
    ['preset', 'x'.repeat(200_000)],
    ['lr', Array.from({ length: 400_000 }, () => '1').join(',')],
    ['lr', '1e308'],
    ['lr', '1e-320'],
    ['momentum', '-0'.repeat(50_000)],
    ['batch', '9'.repeat(100_000)],
    ['epochs', 'Infinity'],
    ['seed', '-1'],
    ['backend', '<script>alert(1)</script>'],
  ];
  it.each(HOSTILE_QUERY.map(([key, raw]) => ({ key, raw, shown: raw.slice(0, 20) })))(
    '$key=$shown… is ignored with a short note and not written back',
    ({ key, raw }) => {
      const query = new URLSearchParams([[key, raw]]);
      const t0 = performance.now();
      const { settings, problems } = settingsFromQuery(query);
      expect(performance.now() - t0).toBeLessThan(100);
      expect(settings).toEqual(DEFAULT_SETTINGS);
      expect(problems).toHaveLength(1);
      expect(problems[0].value.length).toBeLessThanOrEqual(90);
      expect(problems[0].message.length).toBeLessThan(200);
      if (raw.length > 64)
        expect(problems[0].message).toBe(`${key} must be at most 64 characters, got ${raw.length.toLocaleString('en-US')}`);
      expect(settingsToQuery(settings).toString()).toBe('');
    },
  );
});

describe('the network in the URL query', () => {
  it('net= is read in canonical form, and an older link naming a preset still opens its network', () => {
    expect(settingsFromQuery(new URLSearchParams('net=c16k3s1p1r,c32k3s2p1,f,d64,d10l')).settings.net).toBe(
      'c16k3s1p1,c32k3s2p1,f,d64,d10',
    );
    expect(settingsFromQuery(new URLSearchParams('preset=overlap-cnn')).settings.net).toBe(OVERLAP_NET);
    // net= wins over an old preset= in the same link.
    expect(settingsFromQuery(new URLSearchParams('preset=overlap-cnn&net=c8k3s1p1,f,d10')).settings.net).toBe('c8k3s1p1,f,d10');
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, net: 'c8k3s1p1,f,d10' }).toString()).toBe('net=c8k3s1p1%2Cf%2Cd10');
  });

  it('a net= of 16 long layers is read, and one longer than MAX_NET_QUERY_CHARS is refused unread', () => {
    const long = [...Array.from({ length: 14 }, () => 'c4k3s1p1'), 'f', 'd10'].join(',');
    expect(long.length).toBeGreaterThan(64);
    expect(settingsFromQuery(new URLSearchParams({ net: long }))).toEqual({ settings: { ...DEFAULT_SETTINGS, net: long }, problems: [] });
    const huge = 'c8k3s1p1,'.repeat(30_000) + 'd10';
    const { settings, problems } = settingsFromQuery(new URLSearchParams({ net: huge }));
    expect(settings.net).toBe(SEED_NET);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe(`net must be at most ${MAX_NET_QUERY_CHARS} characters, got ${huge.length.toLocaleString('en-US')}`);
    expect(problems[0].value.length).toBeLessThanOrEqual(90);
  });

  it('an invalid net= keeps the default network and reports the engine message', () => {
    const { settings, problems } = settingsFromQuery(new URLSearchParams('net=c8k3s0p1,f,d10'));
    expect(settings.net).toBe(SEED_NET);
    expect(problems).toEqual([{ key: 'net', value: 'c8k3s0p1,f,d10', message: 'layers[0].stride must be a positive integer, got 0' }]);
    expect(settingsFromQuery(new URLSearchParams('preset=vgg')).problems[0].message).toMatch(
      /preset must be one of "seed-cnn", "overlap-cnn", got "vgg"/,
    );
  });
});
