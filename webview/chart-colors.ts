/** The theme's chart colour names (no DOM: charts.ts turns them into colours). */

/** The theme's chart colours (VS Code >= 1.62 defines all of them). */
export type ChartColor = 'blue' | 'orange' | 'green' | 'purple' | 'red' | 'yellow' | 'foreground' | 'lines';
export const SERIES_COLORS: readonly ChartColor[] = ['blue', 'orange', 'green', 'purple', 'yellow', 'red'];
