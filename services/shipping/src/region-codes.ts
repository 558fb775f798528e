// Regions that shipping prices apart. Which codes are assigned at all is @shopmesh/domain's list.

/** The 27 member states of the European Union, by ISO 3166-1 alpha-2 code. */
export const euMemberStates: ReadonlySet<string> = new Set([
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
  "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]);
