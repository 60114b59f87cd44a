export { BADGES_MIGRATIONS, BADGES_CUSTOMER_COLUMNS } from './migrations';
export { badgeDefinitionSchema, badgeDefinitionsSchema, DEFAULT_BADGES, BADGE_ID_PATTERN, type BadgeDefinition } from './definitions';
export { awardBadge, listBadges, type BadgeAwardInput, type EarnedBadge } from './badgeRows';
