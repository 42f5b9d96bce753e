/** UTC−12:00 to UTC+14:00 in quarter hours: the zones an export's times may have been written in. */
export const ZONE_OFFSETS = Array.from({ length: 105 }, (_, i) => -12 * 60 + i * 15);

export const zoneLabel = (minutes: number) =>
  minutes === 0 ? 'UTC' : `UTC${minutes < 0 ? '−' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
