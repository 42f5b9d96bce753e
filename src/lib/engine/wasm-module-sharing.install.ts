import { installWasmModuleSharing } from './wasm-module-sharing';

installWasmModuleSharing();
