// Demo master data for `npm start`: a small systems-house customer base.
import type { ContractTier, Priority } from '../domain/enums.js';
import type { EscalationLadder, SlaTargets } from '../db/schema/index.js';
import { defaultEscalationLadder } from '../domain/sla.js';

export const demoCalendar = {
  name: 'Office hours Mon-Fri 08-17 (NRW)',
  timezone: 'Europe/Berlin',
  week: { mon: [['08:00', '17:00']], tue: [['08:00', '17:00']], wed: [['08:00', '17:00']], thu: [['08:00', '17:00']], fri: [['08:00', '17:00']] },
  holidayRegion: 'DE-NW',
} as const;

export const defaultEscalation: EscalationLadder = defaultEscalationLadder;

/** Business minutes: first response, next response, resolution. */
const t = (firstResponse: number, nextResponse: number, resolution: number): SlaTargets => ({ firstResponse, nextResponse, resolution });

export const demoPolicies: { name: string; tier: ContractTier; targets: Record<Priority, SlaTargets> }[] = [
  { name: 'Platinum', tier: 'platinum', targets: { P1: t(30, 60, 240), P2: t(60, 120, 480), P3: t(120, 240, 1080), P4: t(240, 480, 2700) } },
  { name: 'Gold', tier: 'gold', targets: { P1: t(60, 120, 480), P2: t(120, 240, 960), P3: t(240, 480, 1620), P4: t(480, 960, 2700) } },
  { name: 'Silver', tier: 'silver', targets: { P1: t(120, 240, 960), P2: t(240, 480, 1620), P3: t(480, 960, 2700), P4: t(960, 1920, 5400) } },
];

/** Max Manager looks after every demo customer: he gets their quota notices. */
const accountManagerEmail = 'max.manager@helpdesk.example';

export const demoCustomers = [
  { customerNumber: 'K-10001', name: 'Müller Maschinenbau GmbH', mailDomains: ['mueller-maschinenbau.example'], language: 'de' as const, creditHold: false, accountManagerEmail },
  { customerNumber: 'K-10002', name: 'Stadtwerke Beispielstadt', mailDomains: ['stadtwerke-beispielstadt.example'], language: 'de' as const, creditHold: false, accountManagerEmail },
  { customerNumber: 'K-10003', name: 'Bäckerei Schmidt', mailDomains: ['baeckerei-schmidt.example'], language: 'de' as const, creditHold: false, accountManagerEmail },
  { customerNumber: 'K-10004', name: 'Weber & Partner Rechtsanwälte', mailDomains: ['weber-partner.example'], language: 'en' as const, creditHold: true, accountManagerEmail },
];

export const demoContacts = [
  { customerNumber: 'K-10001', name: 'Petra Müller', email: 'petra.mueller@mueller-maschinenbau.example', phone: '+49 211 555 0101', language: null },
  { customerNumber: 'K-10001', name: 'Jens Kraft', email: 'jens.kraft@mueller-maschinenbau.example', phone: '+49 211 555 0102', language: null },
  { customerNumber: 'K-10002', name: 'Sabine Lehmann', email: 's.lehmann@stadtwerke-beispielstadt.example', phone: '+49 221 555 0201', language: null },
  { customerNumber: 'K-10003', name: 'Thomas Schmidt', email: 'info@baeckerei-schmidt.example', phone: '+49 231 555 0301', language: null },
  { customerNumber: 'K-10004', name: 'Dr. Claire Weber', email: 'c.weber@weber-partner.example', phone: '+49 211 555 0401', language: 'en' as const },
];

/** Net cents per hour: remote, on-site, travel. */
const rates = (remote: number, onsite: number, travel: number) => ({ remote, onsite, travel });

/** No own SLA policy: each contract gets its tier's default policy. The project is created with the contract. */
export const demoContracts = [
  {
    contractNumber: 'V-2026-0001',
    customerNumber: 'K-10001',
    tier: 'gold' as const,
    validFrom: '2026-01-01',
    validTo: '2027-12-31',
    coversAllAssets: true,
    monthlyFeeCents: 49_000,
    hourlyRates: rates(9_000, 11_000, 6_000),
    quotaMinutes: null,
    quotaPeriod: null,
    projectKind: 'support' as const,
  },
  {
    contractNumber: 'V-2026-0002',
    customerNumber: 'K-10002',
    tier: 'platinum' as const,
    validFrom: '2025-07-01',
    validTo: null,
    coversAllAssets: false,
    monthlyFeeCents: 89_000,
    hourlyRates: rates(8_500, 10_500, 5_500),
    quotaMinutes: null,
    quotaPeriod: null,
    projectKind: 'maintenance' as const,
  },
  {
    contractNumber: 'V-2026-0003',
    customerNumber: 'K-10003',
    tier: 'silver' as const,
    validFrom: '2026-03-01',
    validTo: '2027-02-28',
    coversAllAssets: true,
    monthlyFeeCents: 19_000,
    hourlyRates: rates(9_500, 11_500, 6_500),
    // Ten hours a month are included; beyond that work is billed at the contract rates.
    quotaMinutes: 600,
    quotaPeriod: 'month' as const,
    projectKind: 'support' as const,
  },
  {
    contractNumber: 'V-2024-0107',
    customerNumber: 'K-10004',
    tier: 'silver' as const,
    validFrom: '2024-01-01',
    validTo: '2025-12-31',
    coversAllAssets: true,
    monthlyFeeCents: 15_000,
    hourlyRates: {},
    quotaMinutes: null,
    quotaPeriod: null,
    projectKind: 'support' as const,
  },
];

/** contractNumber: the contract whose cover list names the asset (written to contract_assets). */
export const demoAssets = [
  { serialNumber: 'SRV-DL380-7731', identNumber: 'ID-100017', product: 'HPE ProLiant DL380 Gen11', customerNumber: 'K-10001', contractNumber: null },
  { serialNumber: 'PRN-MX611-2290', identNumber: 'ID-100018', product: 'Lexmark MX611 printer', customerNumber: 'K-10001', contractNumber: null },
  { serialNumber: 'FW-FG100F-0042', identNumber: 'ID-200001', product: 'FortiGate 100F firewall', customerNumber: 'K-10002', contractNumber: 'V-2026-0002' },
  { serialNumber: 'SW-C9300-1187', identNumber: 'ID-200002', product: 'Cisco Catalyst 9300 switch', customerNumber: 'K-10002', contractNumber: 'V-2026-0002' },
  { serialNumber: 'NAS-DS923-5501', identNumber: 'ID-200003', product: 'Synology DS923+ NAS', customerNumber: 'K-10002', contractNumber: null },
  { serialNumber: 'POS-TP200-0815', identNumber: 'ID-300001', product: 'Till system TP200', customerNumber: 'K-10003', contractNumber: null },
  { serialNumber: 'NB-T14-4711', identNumber: 'ID-400001', product: 'Lenovo ThinkPad T14', customerNumber: 'K-10004', contractNumber: null },
];

/** costRateCents: internal cost per hour for profitability (null: the role's default). */
/** The support groups work is assigned to (demo users and demo incidents use them). */
export const demoGroups = [
  { name: '1st-level', description: 'First-line support: phone, mail and portal' },
  { name: '2nd-level', description: 'Specialists for servers, storage and software' },
  { name: 'network', description: 'Network, firewall and VPN' },
  { name: 'service-management', description: 'Service managers: escalations and customer reviews' },
  { name: 'sales', description: 'Account managers' },
];

/**
 * The demo's password for the staff pages (/staff/sign-in) of Anna Agent and Max Manager, known so
 * that a new user can try the pages (README, "Staff sign-in"). Only `npm start`'s demo data has it;
 * a production installation has no demo users (SEED_DEMO_DATA=false in docker-compose.yml).
 */
export const demoStaffPassword = 'helpdesk-demo';

/** The demo users who get demoStaffPassword: the agent and the manager. */
export const demoStaffWithPassword = ['anna.agent@helpdesk.example', accountManagerEmail];

export const demoUsers = [
  { name: 'Anna Agent', email: 'anna.agent@helpdesk.example', role: 'agent' as const, groupName: '1st-level', costRateCents: 5_500 },
  { name: 'Max Manager', email: accountManagerEmail, role: 'manager' as const, groupName: 'service-management', costRateCents: 7_500 },
  { name: 'Ada Admin', email: 'ada.admin@helpdesk.example', role: 'admin' as const, groupName: null, costRateCents: 8_000 },
  { name: 'Sven Sales', email: 'sven.sales@helpdesk.example', role: 'sales' as const, groupName: 'sales', costRateCents: 6_000 },
  { name: 'Mail gateway', email: 'mailgate@helpdesk.example', role: 'mailgate' as const, groupName: null, costRateCents: null },
];
