// The emulator judged by Wix's own JavaScript SDK (run by tests/sdk/test_sdk_conformance.py).
//
//   EMULATOR_URL=http://127.0.0.1:PORT EMULATOR_TOKEN=... LOCATION_IDS=A,B [SITE_IDS=,S] node conformance.mjs
//
// (a location per pass, on a site with both restaurant apps, each with its Catalogs v3 catalog; a
// pass whose SITE_IDS entry is set speaks for that seeded site, with wix-site-id)
//
// 1. Drives the emulator with Wix's published packages, their request building untouched: the
//    client comes from @wix/sdk's createClient with the SDK's own ApiKeyStrategy. It runs twice:
//    - host "127.0.0.1:PORT" (the emulator's address): the SDK then emits the paths Wix serves on
//      a site's own domain (/_api/restaurants-menus-menu/v1/...);
//    - host "www.wixapis.com": the public API paths (/restaurants/menus-menu/v1/...).
//    The SDK always builds https:// URLs; the `fetch` we hand it (createClient's documented
//    option) sends the same request to the emulator over plain HTTP on 127.0.0.1. Nothing else of
//    the request is touched.
// 2. Checks every value the SDK returned against what the package declares for that function
//    (declarations.mjs reads it from the package's TypeScript declarations):
//    - the response type: a TypeScript file assigns each recorded value, as a literal, to a
//      variable of that type, and the TypeScript compiler judges it (undeclared fields, wrong
//      types, enum values, null where only a value or nothing is allowed: all compile errors);
//    - the paths the package promises are present and not null (`NonNullablePaths`: defaults
//      such as a menu's `seoData.tags[].custom`), checked here.
// 3. Checks every error the SDK threw: the expected status, an x-wix-request-id, and Wix's error
//    details (applicationError with a code, or validationError with fieldViolations).
// 4. Checks that every function each package exports was called (EXCUSED lists the few that the
//    emulator does not serve, with the reason).
//
// Prints one JSON report on stdout: {"calls", "failures": [{where, problem}], "uncovered", "kept"};
// exits 1 when there are failures or uncovered functions (the generated TypeScript is then kept,
// under .out/, and named in "kept"), 2 on bad usage.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiKeyStrategy, createClient } from '@wix/sdk';
import * as catalogs from '@wix/auto_sdk_restaurants_catalogs';
import * as labels from '@wix/auto_sdk_restaurants_item-labels';
import * as modifierGroups from '@wix/auto_sdk_restaurants_item-modifier-groups';
import * as modifiers from '@wix/auto_sdk_restaurants_item-modifiers';
import * as variants from '@wix/auto_sdk_restaurants_item-variants';
import * as items from '@wix/auto_sdk_restaurants_items';
import * as menus from '@wix/auto_sdk_restaurants_menus';
import * as orderingSettings from '@wix/auto_sdk_restaurants_menu-ordering-settings';
import * as availabilityExceptions from '@wix/auto_sdk_restaurants_availability-exceptions';
import * as sections from '@wix/auto_sdk_restaurants_sections';
import * as files from '@wix/auto_sdk_media_files';

import { declaredReturns, missingPaths } from './declarations.mjs';
import * as scenario from './scenario.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

// client key -> [package, module object, query builder type name]
export const PACKAGES = {
  menus: ['@wix/auto_sdk_restaurants_menus', menus, 'MenusQueryBuilder'],
  sections: ['@wix/auto_sdk_restaurants_sections', sections, 'SectionsQueryBuilder'],
  items: ['@wix/auto_sdk_restaurants_items', items, 'ItemsQueryBuilder'],
  variants: ['@wix/auto_sdk_restaurants_item-variants', variants, 'VariantsQueryBuilder'],
  labels: ['@wix/auto_sdk_restaurants_item-labels', labels, 'LabelsQueryBuilder'],
  modifiers: ['@wix/auto_sdk_restaurants_item-modifiers', modifiers, 'ModifiersQueryBuilder'],
  modifierGroups: ['@wix/auto_sdk_restaurants_item-modifier-groups', modifierGroups, 'ModifierGroupsQueryBuilder'],
  catalogs: ['@wix/auto_sdk_restaurants_catalogs', catalogs, null],
  orderingSettings: ['@wix/auto_sdk_restaurants_menu-ordering-settings', orderingSettings, 'MenuOrderingSettingsQueryBuilder'],
  availabilityExceptions: ['@wix/auto_sdk_restaurants_availability-exceptions', availabilityExceptions, 'AvailabilityExceptionsQueryBuilder'],
  files: ['@wix/auto_sdk_media_files', files, null],
};

// Functions a package exports that the scenario does not call, and why.
const NOT_EMULATED = 'tags and extended fields of the Online Orders services are not emulated (docs/wix-online-orders.md, O8)';
const MEDIA_ONLY = 'the emulator serves only the Media Manager calls a dish image needs (docs/emulator.md, M6)';
const EXCUSED = {
  ...Object.fromEntries(
    [
      'bulkDeleteFiles', 'bulkImportFile', 'bulkImportFiles', 'bulkRestoreFilesFromTrashBin', 'generateFileDownloadUrl',
      'generateFileResumableUploadUrl', 'generateFilesDownloadUrl', 'generateVideoStreamingUrl',
      'listDeletedFiles', 'listFiles', 'queryFileDescriptors', 'searchFiles', 'updateFileDescriptor',
    ].map((fn) => [`files.${fn}`, MEDIA_ONLY]),
  ),
  'orderingSettings.updateExtendedFields': NOT_EMULATED,
  'orderingSettings.bulkUpdateMenuOrderingSettingsTags': NOT_EMULATED,
  'orderingSettings.bulkUpdateMenuOrderingSettingsTagsByFilter': NOT_EMULATED,
  'availabilityExceptions.bulkUpdateAvailabilityExceptionTags': NOT_EMULATED,
  'availabilityExceptions.bulkUpdateAvailabilityExceptionTagsByFilter': NOT_EMULATED,
};

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Calls SDK functions and keeps what happened, for the checks below. */
class Recorder {
  constructor(client, host) {
    this.client = client;
    this.host = host;
    this.calls = [];
    this.failures = [];
    this.called = new Set();
  }

  where(module, fn) {
    return `${this.host} ${module}.${fn}`;
  }

  async ok(module, fn, ...args) {
    this.called.add(`${module}.${fn}`);
    let value;
    try {
      value = await this.client[module][fn](...args);
    } catch (error) {
      if (process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
      const info = errorInfo(error);
      throw new ScenarioStop(this.where(module, fn), `unexpected error ${info.status}: ${info.message}`);
    }
    this.calls.push({ host: this.host, module, fn, kind: 'return', value });
    return value;
  }

  /** A typed query (`queryX({filter, ...})`) and the same query through the builder, with a second page. */
  async query(module, fn, query) {
    const response = await this.ok(module, fn, query);
    this.called.add(`${module}.${fn}`);
    try {
      let page = await this.client[module][fn]().limit(1).find();
      this.calls.push({ host: this.host, module, fn, kind: 'builder', value: page.items });
      if (page.hasNext()) {
        page = await page.next();
        this.calls.push({ host: this.host, module, fn, kind: 'builder', value: page.items });
      }
    } catch (error) {
      const info = errorInfo(error);
      throw new ScenarioStop(this.where(module, fn), `query builder: unexpected error ${info.status}: ${info.message}`);
    }
    return response;
  }

  async fails(module, fn, status, ...args) {
    this.called.add(`${module}.${fn}`);
    try {
      await this.client[module][fn](...args);
    } catch (error) {
      const info = errorInfo(error);
      const where = `${this.where(module, fn)} (expected ${status})`;
      if (info.status !== status) {
        this.failures.push({ where, problem: `status ${info.status} (${info.message})` });
      }
      if (!info.requestId) {
        this.failures.push({ where, problem: 'the error has no requestId (x-wix-request-id header)' });
      }
      const details = info.details ?? {};
      const app = details.applicationError;
      const validation = details.validationError;
      if (!(app && typeof app.code === 'string' && app.code) && !(validation && Array.isArray(validation.fieldViolations))) {
        this.failures.push({ where, problem: `no applicationError.code nor validationError.fieldViolations in ${JSON.stringify(details)}` });
      }
      if (typeof info.message !== 'string' || !info.message) {
        this.failures.push({ where, problem: 'the error has no message' });
      }
      return info;
    }
    this.failures.push({ where: this.where(module, fn), problem: `succeeded; expected HTTP ${status}` });
    return null;
  }
}

class ScenarioStop extends Error {
  constructor(where, problem) {
    super(`${where}: ${problem}`);
    this.where = where;
    this.problem = problem;
  }
}

function errorInfo(error) {
  const data = error?.response?.data ?? {};
  return {
    status: error?.response?.status ?? error?.status ?? null,
    requestId: error?.requestId ?? null,
    message: data.message ?? error?.message ?? String(error),
    details: data.details ?? error?.details ?? null,
  };
}

function makeClient(host, emulatorUrl, token, siteId) {
  const target = new URL(emulatorUrl);
  return createClient({
    modules: Object.fromEntries(Object.entries(PACKAGES).map(([key, [, module]]) => [key, module])),
    auth: ApiKeyStrategy({ apiKey: token, siteId: siteId || undefined }),
    host: { apiBaseUrl: host },
    // The SDK builds https://<host><path>; send exactly that request to the emulator over HTTP.
    fetch: (url, init) => {
      const sent = new URL(url);
      sent.protocol = target.protocol;
      sent.host = target.host;
      return fetch(sent, init);
    },
  });
}

// --- the TypeScript check -----------------------------------------------------------------------

function literal(value, depth = 0) {
  if (value === null) return 'null';
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? '"<an invalid date: the REST timestamp did not parse>"' : `new Date(${JSON.stringify(value.toISOString())})`;
  }
  if (Array.isArray(value)) return `[${value.map((entry) => literal(entry, depth + 1)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}: ${literal(entry, depth + 1)}`).join(', ')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return '"<a non-finite number>"';
  return JSON.stringify(value);
}

const DECLARED = Object.fromEntries(
  Object.entries(PACKAGES).map(([key, [pkg]]) => [key, declaredReturns(join(HERE, 'node_modules', ...pkg.split('/')))]),
);

function typeOf(call) {
  const [, , builder] = PACKAGES[call.module];
  if (call.kind === 'builder') return `Awaited<ReturnType<${call.module}.${builder}['find']>>['items']`;
  const declared = DECLARED[call.module][call.fn];
  if (!declared) throw new Error(`no declared return type for ${call.module}.${call.fn}`);
  return declared.type ? `${call.module}.${declared.type}` : null;
}

function pathFailures(calls) {
  const failures = [];
  for (const call of calls) {
    if (call.kind !== 'return') continue;
    const missing = missingPaths(call.value, DECLARED[call.module][call.fn]?.paths ?? []);
    if (missing.length) {
      failures.push({ where: `${call.host} ${call.module}.${call.fn}`, problem: `declared non-null but missing or null: ${missing.join(', ')}` });
    }
  }
  return failures;
}

function writeCheck(outDir, calls) {
  const lines = [
    '// Generated by conformance.mjs: each value the SDK returned, typed as the package declares it.',
    ...Object.entries(PACKAGES).map(([key, [pkg]]) => `import * as ${key} from '${pkg}';`),
  ];
  const owners = new Map(); // line number (1-based) -> call index
  calls.forEach((call, index) => {
    const type = typeOf(call);
    if (type === null) return; // void functions (deletes) declare nothing to check
    owners.set(lines.length + 1, index);
    lines.push(`export const c${index}: ${type} = ${literal(call.value)};`);
  });
  lines.push('');
  const checkFile = join(outDir, 'check.ts');
  writeFileSync(checkFile, lines.join('\n'));
  writeFileSync(
    join(outDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        skipLibCheck: true,
        types: [],
        noErrorTruncation: true,
      },
      files: ['check.ts'],
    }),
  );
  return owners;
}

function runTsc(outDir) {
  const tsc = join(HERE, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', outDir, '--pretty', 'false'], { encoding: 'utf8', stdio: 'pipe', cwd: HERE });
    return '';
  } catch (error) {
    return `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
}

function typeFailures(output, owners, calls) {
  const failures = [];
  // check.ts(12,34): error TS2322: ... (continuation lines are indented)
  let current = null;
  for (const line of output.split('\n')) {
    const match = line.match(/check\.ts\((\d+),\d+\): error (TS\d+: .*)$/);
    if (match) {
      const call = calls[owners.get(Number(match[1]))];
      current = { where: call ? `${call.host} ${call.module}.${call.fn}${call.kind === 'builder' ? ' (query builder)' : ''}` : `check.ts line ${match[1]}`, problem: match[2] };
      failures.push(current);
    } else if (current && line.trim()) {
      current.problem += `\n${line}`;
    } else if (!current && line.trim()) {
      failures.push({ where: 'tsc', problem: line });
    }
  }
  return failures;
}

// --- main -----------------------------------------------------------------------------------------

async function main() {
  const url = process.env.EMULATOR_URL;
  const token = process.env.EMULATOR_TOKEN;
  const locationIds = (process.env.LOCATION_IDS || '').split(',').filter(Boolean);
  if (!url || !token || locationIds.length < 2) {
    fail('usage: EMULATOR_URL=... EMULATOR_TOKEN=... LOCATION_IDS=A,B node conformance.mjs (two locations with a v3 catalog)');
  }
  // Inside this directory, so the compiler finds the packages in node_modules/.
  mkdirSync(join(HERE, '.out'), { recursive: true });
  const outDir = mkdtempSync(join(HERE, '.out', 'run-'));
  const target = new URL(url);
  const calls = [];
  const failures = [];
  const called = new Set();
  for (const [pass, host] of [target.host, 'www.wixapis.com'].entries()) {
    const locationId = locationIds[pass];
    const siteId = (process.env.SITE_IDS || '').split(',')[pass];
    const recorder = new Recorder(makeClient(host, url, token, siteId), host);
    try {
      const { dinner } = await scenario.menusNew(recorder, locationId);
      await scenario.onlineOrders(recorder, dinner._id);
      await scenario.catalogsV3(recorder, locationId);
      await scenario.mediaFiles(recorder);
    } catch (error) {
      if (!(error instanceof ScenarioStop)) throw error;
      failures.push({ where: error.where, problem: `${error.problem} (the pass stopped here)` });
    }
    calls.push(...recorder.calls);
    failures.push(...recorder.failures);
    recorder.called.forEach((name) => called.add(name));
  }
  const owners = writeCheck(outDir, calls);
  failures.push(...pathFailures(calls));
  failures.push(...typeFailures(runTsc(outDir), owners, calls));
  const uncovered = [];
  for (const [key, [, module]] of Object.entries(PACKAGES)) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== 'function' || name.startsWith('on') || /^[A-Z]/.test(name) || name === 'utils') continue;
      const full = `${key}.${name}`;
      if (!called.has(full) && !(full in EXCUSED)) uncovered.push(full);
    }
  }
  const failed = failures.length > 0 || uncovered.length > 0;
  if (!failed) rmSync(outDir, { recursive: true, force: true });
  const report = { calls: calls.length, failures, uncovered, excused: EXCUSED, kept: failed ? outDir : null };
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  process.exit(failed ? 1 : 0);
}

await main();
