/** Every scenario, in report order. `--only=name,name` picks some. */
import type { Scenario } from '../context.ts';
import { archiveScenario } from './archive.ts';
import { deviceScenario } from './device.ts';
import { httpLoad } from './http.ts';
import { scaleScenario } from './scale.ts';
import { sdkScenario } from './sdk.ts';
import { storageOps } from './storage-ops.ts';

export const scenarios: Scenario[] = [deviceScenario, storageOps, sdkScenario, httpLoad, archiveScenario, scaleScenario];
