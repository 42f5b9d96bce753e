import { MACROS_SQL } from '../sql/macros';
import { sqlString } from '../sql/quote';

/**
 * Statements every engine runs once after opening. Extension autoloading is off, and the extension repository
 * points at a place that answers without leaving the machine: without it, the first TIMESTAMPTZ function tries
 * to fetch ICU from the internet and a failed load corrupts the instance (stack-notes §2).
 */
export function setupStatements(extensionRepository: string): string[] {
  return [
    'SET autoload_known_extensions = false',
    'SET autoinstall_known_extensions = false',
    `SET custom_extension_repository = ${sqlString(extensionRepository)}`,
    ...MACROS_SQL,
  ];
}
