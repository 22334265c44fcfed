/** The Proxmox VE API emulator, for tests, benchmarks and trying Kumulus's Proxmox mode without a cluster. */
export { ADMIN_PRIVILEGES, DEFAULT_TOKEN, type EmulatorOptions, type EmuToken, PveEmulator } from './emulator.ts';
export { FAULT_KINDS, type FaultConfig, type FaultKind } from './faults.ts';
export { DEFAULT_TEMPLATE, type EmuGuest } from './state.ts';
