import type { RecycleReason } from '../../core/model.js';

// Okabe-Ito, told apart by most colour-blind readers; every colour also has a label.

export const REASON_COLOURS: Readonly<Record<RecycleReason, string>> = {
  'max-age': '#0072b2',
  chaos: '#e69f00',
  tainted: '#cc79a7',
  'stale-config': '#009e73',
  requested: '#d55e00',
};
export const FAILURE_COLOUR = '#c0392b';
/** Light to dark as instances get older. */
export const AGE_COLOURS: readonly string[] = ['#b3d4ea', '#7fb3d8', '#4a90c2', '#2a6ea6', '#174f80'];
export const INK = '#1f2933';
export const MUTED = '#5f6b7a';
export const GRID = '#e3e7ec';
