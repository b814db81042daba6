// Stands in for ink's devtools module (see scripts/bundle-options.mjs): nothing to connect to.
export {};
