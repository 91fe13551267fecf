/** Colours for series and slices: distinct at a glance, in a fixed order so a category keeps its colour across panels. */
const COLORS = [
  '#2f6fde',
  '#e8743b',
  '#19a979',
  '#ed4a7b',
  '#945ecf',
  '#13a4b4',
  '#d6a50f',
  '#6c8893',
  '#bf399e',
  '#5899da',
  '#a5b600',
  '#e05656',
];

// Levels carry meaning: the severe ones are red whatever their rank in a query's answer.
const LEVEL_COLORS: Record<string, string> = {
  emergency: '#7a0019',
  alert: '#a8071a',
  critical: '#cf1322',
  error: '#f5222d',
  warning: '#fa8c16',
  notice: '#1677ff',
  information: '#52c41a',
  info: '#52c41a',
  debug: '#8c8c8c',
};

export function colorFor(name: string, index: number): string {
  return LEVEL_COLORS[name] ?? (COLORS[index % COLORS.length] as string);
}
