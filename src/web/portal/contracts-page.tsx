// "Our contracts": tier, term, covered devices, and for customer admins the quota (Kontingent) of the current period.
import type { PortalContract } from '../../services/portal/actions.js';
import { date, duration } from '../format.js';
import { PortalPage, type PageContext } from './components.js';

export function ContractsPage(props: { p: PageContext; contracts: PortalContract[] }) {
  const { p } = props;
  const t = p.t.contracts;
  return (
    <PortalPage p={p} title={t.title}>
      <h1>{t.title}</h1>
      {props.contracts.length === 0 && <p>{t.none}</p>}
      {props.contracts.map((c) => (
        <section class="card" aria-labelledby={`contract-${c.number}`}>
          <h2 id={`contract-${c.number}`}>
            {t.number} {c.number}
          </h2>
          <dl class="facts">
            <dt>{t.tier}</dt>
            <dd>{p.t.tier[c.tier]}</dd>
            <dt>{t.validity}</dt>
            <dd>
              {c.validTo ? t.range(date(c.validFrom, p.language), date(c.validTo, p.language)) : t.from(date(c.validFrom, p.language))} ({c.inForce ? t.inForce : t.notInForce})
            </dd>
            <dt>{t.devices}</dt>
            <dd>
              {c.coversAllAssets && <span>{t.allDevices}</span>}
              {c.devices.length === 0 && !c.coversAllAssets ? (
                t.noDevices
              ) : (
                <ul class="files">
                  {c.devices.map((d) => (
                    <li>
                      {d.product} ({d.serialNumber})
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            {c.quota && (
              <>
                <dt>{t.quota}</dt>
                <dd>
                  {t.quotaUse(duration(c.quota.usedMinutes, p.language), duration(c.quota.totalMinutes, p.language), duration(c.quota.remainingMinutes, p.language))}
                  <br />
                  <span class="hint">{t.period(date(c.quota.periodStart, p.language), c.quota.periodEnd ? date(c.quota.periodEnd, p.language) : '…')}</span>
                </dd>
              </>
            )}
          </dl>
        </section>
      ))}
    </PortalPage>
  );
}
