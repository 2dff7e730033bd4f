"""The ground floor: crypto, keys, sealed columns, the audit chain, i18n, normalisation,
permissions and the unit of work. Imports nothing from the feature packages above it."""
