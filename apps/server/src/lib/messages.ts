import type { ErrorCode, Localized, MessageParam } from './errors.ts';

/** Languages Kumulus speaks. */
export type Language = 'en' | 'de';

type Catalog = Record<ErrorCode, string>;

// Each message says what was wrong and what to do; {name} is filled from the error's params.
// They name no API paths: the dashboard shows them too, and the CLI adds its own commands.
const en: Catalog = {
  VALIDATION_FAILED: 'The request is not valid: {summary}. Correct the fields named in details and send it again.',
  INVALID_JSON: 'The request body is not valid JSON. Send a JSON object with content-type application/json.',
  JSON_TOO_DEEP: 'The request body nests objects or arrays deeper than {limit} levels. Send a flatter JSON object.',
  BAD_REQUEST: 'The request could not be read ({code}). Check its URL, headers and body.',
  UNAUTHENTICATED: 'You are not signed in or your session has expired. Sign in again or send a valid API token.',
  INVALID_CREDENTIALS: 'E-mail or password is wrong. Check both and try again.',
  FORBIDDEN: 'Your role ({role}) may not {action}. Ask an administrator of your tenant.',
  NOT_FOUND: 'No {kind} {id} was found. Check the id or name.',
  ROUTE_NOT_FOUND: 'There is no {method} {url}. The API lives under /api/v1; see /api/v1/openapi.json.',
  SERVER_NOT_FOUND: 'No server with id or name {id} exists in your tenant. Check the name in your list of servers.',
  OPERATION_NOT_FOUND: 'No operation with id {id} exists in your tenant.',
  NETWORK_NOT_FOUND: 'No network with id or name {id} exists in your tenant. Check the name in your list of networks.',
  NETWORK_IN_USE: 'Network {id} still has {count} server NICs on it. Delete those servers first.',
  SUBNET_OVERLAP: 'The range {cidr} overlaps your network {other} ({otherCidr}). Choose a range that does not.',
  ADDRESS_TAKEN: 'The address {address} in {network} is in use. Leave the address out to get a free one, or choose another.',
  NIC_NOT_FOUND: 'Server {server} has no NIC {id}. List its NICs to find the right id.',
  NIC_ON_NETWORK: 'Server {server} already has a NIC ({nic}) on network {network}. A server takes one NIC per network.',
  LAST_NIC: 'NIC {id} is the last one of server {server}. Attach another NIC first, or delete the server.',
  IP_POOL_NOT_FOUND: 'No IP pool with id or name {id} exists. Check the name in the list of IP pools.',
  PUBLIC_IP_NOT_FOUND: 'No public IP with id or name {id} exists in your tenant. Check the name in your list of public IPs.',
  POOL_OVERLAP: 'The range {range} overlaps the IP pool {other} ({otherRange}). Choose a range that does not.',
  POOL_IN_USE: 'IP pool {id} still has {count} public IPs handed out. Those must be released first.',
  PUBLIC_IP_ASSIGNED: 'Public IP {id} is assigned to server {server}. Unassign it first, then release it.',
  NO_PUBLIC_NIC: 'Server {server} has no NIC on the default network, where public IPs are routed. Create the server with a NIC there.',
  NO_IP_POOL: 'No IP pool for {family} addresses is defined. Ask the operator to define one, or choose the other family.',
  POOL_MODE_UNSUPPORTED: 'This engine cannot yet serve pools in {mode} mode. Use mode routed.',
  FIREWALL_NOT_FOUND: 'No firewall with id or name {id} exists in your tenant. Check the name in your list of firewalls.',
  ZONE_NOT_FOUND: 'No zone with id or name {id} exists. Check the name in the list of zones.',
  LABEL_SELECTOR_INVALID: 'The label selector does not parse at position {position}: {reason}. Write requirements such as env=prod,tier!=db,app in (a,b),!legacy.',
  FIREWALL_IN_USE: 'Firewall {id} is still applied to {count} target(s). Remove it from them first.',
  NETWORK_IN_ZONE: 'Network {network} is in zone {zone} already; a network is in one zone only. Remove it from {zone} first.',
  VOLUME_NOT_FOUND: 'No volume with id or name {id} exists in your tenant. Check the name in your list of volumes.',
  VOLUME_ATTACHED: 'Volume {id} is attached to server {server}. Detach it first.',
  VOLUME_PROTECTED: 'Volume {id} is protected against deletion. Lift the protection first (PATCH with "protected": false).',
  VOLUME_BUSY: 'Volume {id} is being deleted or is busy with another change. Wait for operation {operation} to end.',
  VOLUME_ON_OTHER_HOST: 'Volume {id} is on host {volumeNode} and server {server} on host {serverNode}; a volume attaches only to a server on its own host. Choose a server on {volumeNode}.',
  QUOTA_EXCEEDED: "Your tenant's quota allows {max} {limit}; {used} are in use, so {requested} more do not fit. Delete something or ask the operator for a larger quota.",
  QUOTA_BELOW_USE: 'A quota cannot be below what the tenant already uses ({fields}). Choose at least the amount in use, or have the tenant delete something first.',
  TENANT_SUSPENDED: 'Your tenant is suspended because its credit is used up: no resources can be created or started. Your data is kept; top up your credit (payment reference {reference}) and everything starts again.',
  SERVER_PROTECTED: 'Server {id} is protected and cannot be {action}. Lift its protection first (change-protection), then try again.',
  SHUTDOWN_TIMEOUT: 'Server {id} did not shut down within {seconds} s and is still running. Try again with a longer timeout, or power it off (this kills it at once).',
  SERVER_DISK_SHRINK: 'Plan {plan} has a {newDisk} GB disk, but server {id} has {disk} GB, and a root disk only grows. Choose a plan with at least {disk} GB of disk.',
  RESIZE_NEEDS_STOP: 'This engine changes the limits of server {id} only while it is stopped. Stop it, resize it, and start it again.',
  WEBHOOK_NOT_FOUND: 'No webhook with id {id} exists in your tenant. Check the id in your list of webhooks.',
  WEBHOOK_URL_REFUSED: 'Deliveries cannot go to {url}: {reason}. Use a public http(s) URL; the operator can allow loopback and private addresses for this installation.',
  VOLUME_SHRINK: 'Volume {id} has {size} GB and volumes only grow: a filesystem cannot give back space safely. Ask for at least {size} GB, or make a smaller volume and copy the data over.',
  SNAPSHOT_NOT_FOUND: 'No snapshot with id or name {id} exists for {target}. Check the name in its list of snapshots.',
  SNAPSHOT_BUSY: 'A snapshot of {target} is being taken, rolled back or deleted ({snapshot}). Wait for it to finish, then try again.',
  SNAPSHOT_LIMIT: '{target} has {count} snapshots, the most its plan allows ({limit}). Delete an old snapshot first.',
  SNAPSHOT_CONFIRMATION: 'A rollback discards everything written since snapshot {name} was taken. To confirm, send its name exactly as "confirm".',
  SNAPSHOTS_UNSUPPORTED: 'The storage backend {backend} of this host cannot take snapshots.',
  BACKUP_TARGET_NOT_FOUND: 'No backup target with id or name {id} exists. Check the name in the list of backup targets.',
  BACKUP_NOT_FOUND: 'No backup with id {id} exists in your tenant. Check the id in your list of backups.',
  BACKUP_SCHEDULE_NOT_FOUND: 'No backup schedule with id or name {id} exists in your tenant. Check the name in your list of schedules.',
  BACKUP_TARGET_REQUIRED: 'No default backup target is defined. Name a target, or ask the operator to mark one as the default.',
  BACKUP_TARGET_INVALID: 'The backup target is not complete: {reason}.',
  BACKUP_TARGET_IN_USE: 'Backup target {id} still holds {count} backups or schedules. Delete them first.',
  BACKUP_BUSY: 'Backup {id} is being made, restored or deleted. Wait for it to finish, then try again.',
  BACKUP_PROTECTED: 'Backup {id} is protected. Lift its protection first, then delete it.',
  BACKUP_CONFIRMATION: 'A restore into server {name} discards everything written on it since the backup was made. To confirm, send its name exactly as "confirm".',
  BACKUPS_UNSUPPORTED: 'This engine cannot make backups in mode {mode}.',
  SCHEDULE_INVALID: 'The schedule {cron} is not a valid cron line: {reason}. Write five fields, e.g. "0 3 * * *" for 03:00 every day.',
  RETENTION_INVALID: 'The retention policy keeps no backup at all. Set at least one of keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly or keepYearly above 0.',
  STORAGE_FULL: 'The storage of this host has {free} GB free, less than the {requested} GB asked for. Choose a smaller size or ask the operator to add storage.',
  PLAN_NOT_FOUND: 'There is no plan with name or id {plan}. Choose one of the plans offered.',
  IMAGE_NOT_FOUND: 'There is no image with name or id {image}. Choose one of the images offered.',
  SSH_KEY_NOT_FOUND: 'Your tenant has no saved SSH key with id or name {id}. Choose one of your saved keys, or save the key first.',
  CONFLICT: 'The request conflicts with the current state: {reason}.',
  NAME_TAKEN: 'A {kind} named {name} exists already. Choose another name.',
  SSH_KEY_EXISTS: 'This key is saved already, as {name} ({fingerprint}). Use that one, or delete it first.',
  DUPLICATE_REFERENCE: 'A booking with reference {reference} exists already ({transaction}). Check whether this payment was booked before; use the reference only once.',
  PRICE_IN_PAST: 'A price cannot take effect at {effectiveFrom}: that lies in the past or in usage already billed. Choose a time from now on.',
  CURRENCY_MISMATCH: 'The currency {currency} is not the one Kumulus bills in. Give amounts in {expected}.',
  INVALID_AMOUNT: 'The amount {amount} in {field} is not valid. Give a decimal euro amount such as 25.00.',
  INVOICE_NOT_FOUND: 'No invoice or credit note with id {id} exists in your tenant. Check the id in your list of invoices.',
  BANK_LINE_NOT_FOUND: 'No imported bank line with id {id} exists. Check the id in the list of unmatched payments.',
  PERIOD_NOT_ENDED: 'The month {month} has not ended yet; a month is invoiced only once it is over. Choose an earlier month.',
  USAGE_NOT_SETTLED: 'The usage of {resource} in {month} is not fully booked yet, so the month cannot be invoiced. Try again in a few minutes.',
  CREDIT_EXCEEDS_INVOICE: 'Invoice {invoice} has {left} EUR net left to credit. Give an amount above 0 and at most that.',
  INVALID_COUNTRY: 'The country {value} in {field} is not valid. Give an ISO 3166 two-letter code such as DE or AT.',
  INVALID_VAT_ID: 'The VAT id {value} in {field} is not valid. Give it with its country code, such as DE123456789.',
  INVALID_IBAN: 'The IBAN {value} in {field} is not valid: its length or check digits are wrong. Copy it from the bank statement again.',
  INVALID_MANDATE: 'The mandate is not valid: {field} {reason}. Correct it and send it again.',
  NOT_CAMT053: 'The file in {field} is not an ISO 20022 CAMT.053 bank statement ({reason}). Export the statement from your bank as camt.053 XML.',
  BANK_LINE_BOOKED: 'Bank line {id} is booked already ({transaction}). Each incoming payment is booked once.',
  SERVER_BUSY: 'Server {id} is being deleted or is busy with another change. Wait for operation {operation} to end.',
  TENANT_NOT_EMPTY: 'Tenant {name} still has {count} server(s): {servers}. Delete them first (Servers, all tenants), then delete the tenant.',
  TENANT_IS_OWN: 'Tenant {name} is the one you are signed in with; you cannot delete it. Sign in as an operator of another tenant.',
  IDEMPOTENCY_KEY_REUSED:
    'The Idempotency-Key {key} was already used with a different request. Use a new key for a new request.',
  WEAK_PASSWORD: 'The password is too weak: {reason}. Use at least 12 characters mixing letters, digits and symbols.',
  INVALID_SSH_KEY: 'SSH key {index} is not a valid public key: {reason}. Paste one line of an OpenSSH .pub file.',
  UNSUPPORTED_KIND: 'This engine cannot run servers of kind {kind}. Create a container instead.',
  ACCOUNT_LOCKED: 'Too many failed sign-ins. Wait {seconds} seconds and try again.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than {limit} bytes. Send less data.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body has content-type {contentType}, which this API does not read. Send JSON with content-type application/json.',
  NO_ADDRESS_LEFT: 'Network {network} has no free address left. Delete a server or ask the operator for a larger network.',
  HOST_NOT_READY: 'This host cannot start servers from image {image} yet: it lacks something they need. The operator has been told what; try again later or choose another image.',
  ENGINE_ERROR: 'The hypervisor could not carry out the change. The operator can see why in the log; try again later or ask the operator.',
  PROXMOX_UNREACHABLE: 'The Proxmox VE cluster at {url} did not answer: {reason}. Check the URL (https://NODE:8006), the firewall, and the certificate fingerprint or CA.',
  PROXMOX_TOKEN_REFUSED: 'The Proxmox VE cluster at {url} refused the API token {tokenId}. Check the token id (user@realm!tokenid) and its secret under Datacenter → Permissions → API Tokens.',
  PROXMOX_PRIVILEGES_MISSING: 'The API token {tokenId} lacks these privileges on / of the Proxmox VE cluster: {privileges}. Grant them to the token (with privilege separation, to the token itself) and try again.',
  SECRET_KEY_INVALID: 'The key file {file} that seals stored secrets is not a 32-byte key, or stored secrets were sealed with another one. Restore the original key file, or register the cluster again.',
  INTERNAL: 'An unexpected error happened. Tell the operator the request id {requestId}.',
};

// German addresses the reader with "Sie" throughout.
const de: Catalog = {
  VALIDATION_FAILED: 'Die Anfrage ist ungültig: {summary}. Korrigieren Sie die genannten Felder und senden Sie die Anfrage erneut.',
  INVALID_JSON: 'Der Inhalt der Anfrage ist kein gültiges JSON. Senden Sie ein JSON-Objekt mit content-type application/json.',
  JSON_TOO_DEEP: 'Der Inhalt der Anfrage verschachtelt Objekte oder Listen tiefer als {limit} Ebenen. Senden Sie ein flacheres JSON-Objekt.',
  BAD_REQUEST: 'Die Anfrage konnte nicht gelesen werden ({code}). Prüfen Sie URL, Header und Inhalt.',
  UNAUTHENTICATED: 'Sie sind nicht angemeldet oder Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an oder senden Sie ein gültiges API-Token.',
  INVALID_CREDENTIALS: 'E-Mail oder Passwort ist falsch. Prüfen Sie beides und versuchen Sie es erneut.',
  FORBIDDEN: 'Ihre Rolle ({role}) erlaubt nicht: {action}. Wenden Sie sich an einen Administrator Ihres Mandanten.',
  NOT_FOUND: 'Kein {kind} {id} gefunden. Prüfen Sie die ID oder den Namen.',
  ROUTE_NOT_FOUND: 'Es gibt kein {method} {url}. Die API liegt unter /api/v1; siehe /api/v1/openapi.json.',
  SERVER_NOT_FOUND: 'In Ihrem Mandanten gibt es keinen Server mit der ID oder dem Namen {id}. Prüfen Sie den Namen in Ihrer Serverliste.',
  OPERATION_NOT_FOUND: 'In Ihrem Mandanten gibt es keinen Vorgang mit der ID {id}.',
  NETWORK_NOT_FOUND: 'In Ihrem Mandanten gibt es kein Netz mit der ID oder dem Namen {id}. Prüfen Sie den Namen in Ihrer Netzliste.',
  NETWORK_IN_USE: 'Am Netz {id} hängen noch {count} Netzwerkkarten von Servern. Löschen Sie diese Server zuerst.',
  SUBNET_OVERLAP: 'Der Bereich {cidr} überschneidet sich mit Ihrem Netz {other} ({otherCidr}). Wählen Sie einen Bereich ohne Überschneidung.',
  ADDRESS_TAKEN: 'Die Adresse {address} in {network} ist belegt. Lassen Sie die Adresse weg, um eine freie zu erhalten, oder wählen Sie eine andere.',
  NIC_NOT_FOUND: 'Server {server} hat keine Netzwerkkarte {id}. Lassen Sie sich seine Netzwerkkarten anzeigen, um die richtige ID zu finden.',
  NIC_ON_NETWORK: 'Server {server} hat bereits eine Netzwerkkarte ({nic}) im Netz {network}. Ein Server erhält eine Netzwerkkarte pro Netz.',
  LAST_NIC: 'Netzwerkkarte {id} ist die letzte von Server {server}. Hängen Sie zuerst eine weitere an oder löschen Sie den Server.',
  IP_POOL_NOT_FOUND: 'Es gibt keinen IP-Pool mit der ID oder dem Namen {id}. Prüfen Sie den Namen in der Liste der IP-Pools.',
  PUBLIC_IP_NOT_FOUND: 'In Ihrem Mandanten gibt es keine öffentliche IP mit der ID oder dem Namen {id}. Prüfen Sie den Namen in Ihrer Liste öffentlicher IPs.',
  POOL_OVERLAP: 'Der Bereich {range} überschneidet sich mit dem IP-Pool {other} ({otherRange}). Wählen Sie einen Bereich ohne Überschneidung.',
  POOL_IN_USE: 'Aus dem IP-Pool {id} sind noch {count} öffentliche IPs vergeben. Diese müssen zuerst freigegeben werden.',
  PUBLIC_IP_ASSIGNED: 'Die öffentliche IP {id} ist dem Server {server} zugewiesen. Heben Sie die Zuweisung zuerst auf und geben Sie sie dann frei.',
  NO_PUBLIC_NIC: 'Der Server {server} hat keine Netzwerkkarte im Standardnetz, in das öffentliche IPs geroutet werden. Erstellen Sie den Server mit einer Netzwerkkarte dort.',
  NO_IP_POOL: 'Für {family}-Adressen ist kein IP-Pool eingerichtet. Bitten Sie den Betreiber, einen einzurichten, oder wählen Sie die andere Adressfamilie.',
  POOL_MODE_UNSUPPORTED: 'Diese Engine kann Pools im Modus {mode} noch nicht bedienen. Verwenden Sie den Modus routed.',
  FIREWALL_NOT_FOUND: 'In Ihrem Mandanten gibt es keine Firewall mit der ID oder dem Namen {id}. Prüfen Sie den Namen in Ihrer Firewall-Liste.',
  ZONE_NOT_FOUND: 'Es gibt keine Zone mit der ID oder dem Namen {id}. Prüfen Sie den Namen in der Zonenliste.',
  LABEL_SELECTOR_INVALID: 'Der Label-Selektor ist an Position {position} nicht lesbar: {reason}. Schreiben Sie Bedingungen wie env=prod,tier!=db,app in (a,b),!legacy.',
  FIREWALL_IN_USE: 'Die Firewall {id} ist noch auf {count} Ziel(e) angewendet. Entfernen Sie sie zuerst davon.',
  NETWORK_IN_ZONE: 'Das Netz {network} gehört bereits zur Zone {zone}; ein Netz gehört nur zu einer Zone. Entfernen Sie es zuerst aus {zone}.',
  VOLUME_NOT_FOUND: 'In Ihrem Mandanten gibt es kein Volume mit der ID oder dem Namen {id}. Prüfen Sie den Namen in Ihrer Volume-Liste.',
  VOLUME_ATTACHED: 'Volume {id} ist an Server {server} angehängt. Hängen Sie es zuerst ab.',
  VOLUME_PROTECTED: 'Volume {id} ist vor dem Löschen geschützt. Heben Sie den Schutz zuerst auf (PATCH mit "protected": false).',
  VOLUME_BUSY: 'Volume {id} wird gerade gelöscht oder geändert. Warten Sie, bis Vorgang {operation} beendet ist.',
  VOLUME_ON_OTHER_HOST: 'Volume {id} liegt auf Host {volumeNode}, Server {server} auf Host {serverNode}; ein Volume lässt sich nur an einen Server auf seinem eigenen Host anhängen. Wählen Sie einen Server auf {volumeNode}.',
  QUOTA_EXCEEDED: 'Das Kontingent Ihres Mandanten erlaubt {max} {limit}; {used} sind belegt, weitere {requested} passen also nicht. Löschen Sie etwas oder bitten Sie den Betreiber um ein größeres Kontingent.',
  QUOTA_BELOW_USE: 'Ein Kontingent kann nicht unter dem liegen, was der Mandant schon belegt ({fields}). Wählen Sie mindestens die belegte Menge oder lassen Sie den Mandanten erst etwas löschen.',
  TENANT_SUSPENDED: 'Ihr Mandant ist gesperrt, weil sein Guthaben aufgebraucht ist: Es lassen sich keine Ressourcen anlegen oder starten. Ihre Daten bleiben erhalten; laden Sie Guthaben auf (Verwendungszweck {reference}), dann läuft alles wieder an.',
  SERVER_PROTECTED: 'Server {id} ist geschützt und kann nicht {action} werden. Heben Sie zuerst den Schutz auf (change-protection) und versuchen Sie es dann erneut.',
  SHUTDOWN_TIMEOUT: 'Server {id} hat sich nicht innerhalb von {seconds} s heruntergefahren und läuft noch. Versuchen Sie es mit einer längeren Wartezeit erneut oder schalten Sie ihn hart aus (das beendet ihn sofort).',
  SERVER_DISK_SHRINK: 'Tarif {plan} hat eine Festplatte von {newDisk} GB, Server {id} aber {disk} GB, und eine Systemfestplatte wächst nur. Wählen Sie einen Tarif mit mindestens {disk} GB Festplatte.',
  RESIZE_NEEDS_STOP: 'Diese Engine ändert die Grenzen von Server {id} nur, wenn er gestoppt ist. Stoppen Sie ihn, ändern Sie die Größe und starten Sie ihn wieder.',
  WEBHOOK_NOT_FOUND: 'In Ihrem Mandanten gibt es keinen Webhook mit der ID {id}. Prüfen Sie die ID in Ihrer Liste der Webhooks.',
  WEBHOOK_URL_REFUSED: 'An {url} kann nicht zugestellt werden: {reason}. Verwenden Sie eine öffentliche http(s)-URL; der Betreiber kann Loopback- und private Adressen für diese Installation erlauben.',
  VOLUME_SHRINK: 'Volume {id} hat {size} GB, und Volumes wachsen nur: Ein Dateisystem kann Platz nicht sicher zurückgeben. Wählen Sie mindestens {size} GB oder legen Sie ein kleineres Volume an und kopieren Sie die Daten hinüber.',
  SNAPSHOT_NOT_FOUND: 'Für {target} gibt es keinen Snapshot mit der ID oder dem Namen {id}. Prüfen Sie den Namen in der Snapshot-Liste.',
  SNAPSHOT_BUSY: 'Ein Snapshot von {target} wird gerade angelegt, zurückgespielt oder gelöscht ({snapshot}). Warten Sie, bis das beendet ist, und versuchen Sie es dann erneut.',
  SNAPSHOT_LIMIT: '{target} hat {count} Snapshots, so viele, wie sein Tarif erlaubt ({limit}). Löschen Sie zuerst einen alten Snapshot.',
  SNAPSHOT_CONFIRMATION: 'Ein Zurückspielen verwirft alles, was seit dem Snapshot {name} geschrieben wurde. Senden Sie zur Bestätigung seinen Namen genau so als „confirm“.',
  SNAPSHOTS_UNSUPPORTED: 'Das Speicher-Backend {backend} dieses Hosts kann keine Snapshots anlegen.',
  BACKUP_TARGET_NOT_FOUND: 'Es gibt kein Backup-Ziel mit der ID oder dem Namen {id}. Prüfen Sie den Namen in der Liste der Backup-Ziele.',
  BACKUP_NOT_FOUND: 'In Ihrem Mandanten gibt es kein Backup mit der ID {id}. Prüfen Sie die ID in Ihrer Backup-Liste.',
  BACKUP_SCHEDULE_NOT_FOUND: 'In Ihrem Mandanten gibt es keinen Backup-Zeitplan mit der ID oder dem Namen {id}. Prüfen Sie den Namen in Ihrer Liste der Zeitpläne.',
  BACKUP_TARGET_REQUIRED: 'Es ist kein Standard-Backup-Ziel festgelegt. Nennen Sie ein Ziel oder bitten Sie den Betreiber, eines als Standard festzulegen.',
  BACKUP_TARGET_INVALID: 'Das Backup-Ziel ist unvollständig: {reason}.',
  BACKUP_TARGET_IN_USE: 'Das Backup-Ziel {id} enthält noch {count} Backups oder Zeitpläne. Löschen Sie diese zuerst.',
  BACKUP_BUSY: 'Das Backup {id} wird gerade erstellt, wiederhergestellt oder gelöscht. Warten Sie, bis das beendet ist, und versuchen Sie es dann erneut.',
  BACKUP_PROTECTED: 'Das Backup {id} ist geschützt. Heben Sie den Schutz zuerst auf und löschen Sie es dann.',
  BACKUP_CONFIRMATION: 'Eine Wiederherstellung in den Server {name} verwirft alles, was seit dem Backup darauf geschrieben wurde. Senden Sie zur Bestätigung seinen Namen genau so als „confirm“.',
  BACKUPS_UNSUPPORTED: 'Diese Engine kann keine Backups im Modus {mode} erstellen.',
  SCHEDULE_INVALID: 'Der Zeitplan {cron} ist keine gültige Cron-Zeile: {reason}. Schreiben Sie fünf Felder, z. B. „0 3 * * *“ für täglich 03:00 Uhr.',
  RETENTION_INVALID: 'Die Aufbewahrungsregel behält kein einziges Backup. Setzen Sie mindestens einen der Werte keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly oder keepYearly über 0.',
  STORAGE_FULL: 'Der Speicher dieses Hosts hat {free} GB frei, weniger als die angefragten {requested} GB. Wählen Sie eine kleinere Größe oder bitten Sie den Betreiber, Speicher hinzuzufügen.',
  PLAN_NOT_FOUND: 'Es gibt keinen Tarif mit dem Namen oder der ID {plan}. Wählen Sie einen der angebotenen Tarife.',
  IMAGE_NOT_FOUND: 'Es gibt kein Image mit dem Namen oder der ID {image}. Wählen Sie eines der angebotenen Images.',
  SSH_KEY_NOT_FOUND: 'Ihr Mandant hat keinen gespeicherten SSH-Schlüssel mit der ID oder dem Namen {id}. Wählen Sie einen Ihrer gespeicherten Schlüssel oder speichern Sie den Schlüssel zuerst.',
  CONFLICT: 'Die Anfrage widerspricht dem aktuellen Zustand: {reason}.',
  NAME_TAKEN: 'Ein {kind} namens {name} existiert bereits. Wählen Sie einen anderen Namen.',
  SSH_KEY_EXISTS: 'Dieser Schlüssel ist bereits gespeichert, als {name} ({fingerprint}). Verwenden Sie ihn oder löschen Sie ihn zuerst.',
  DUPLICATE_REFERENCE: 'Eine Buchung mit der Referenz {reference} gibt es bereits ({transaction}). Prüfen Sie, ob diese Zahlung schon gebucht wurde; verwenden Sie jede Referenz nur einmal.',
  PRICE_IN_PAST: 'Ein Preis kann nicht ab {effectiveFrom} gelten: Dieser Zeitpunkt liegt in der Vergangenheit oder in bereits abgerechneter Nutzung. Wählen Sie einen Zeitpunkt ab jetzt.',
  CURRENCY_MISMATCH: 'Die Währung {currency} ist nicht die, in der Kumulus abrechnet. Geben Sie Beträge in {expected} an.',
  INVALID_AMOUNT: 'Der Betrag {amount} in {field} ist ungültig. Geben Sie einen Euro-Betrag wie 25.00 an.',
  INVOICE_NOT_FOUND: 'In Ihrem Mandanten gibt es keine Rechnung oder Gutschrift mit der ID {id}. Prüfen Sie die ID in Ihrer Rechnungsliste.',
  BANK_LINE_NOT_FOUND: 'Es gibt keine importierte Kontobewegung mit der ID {id}. Prüfen Sie die ID in der Liste der nicht zugeordneten Zahlungen.',
  PERIOD_NOT_ENDED: 'Der Monat {month} ist noch nicht zu Ende; ein Monat wird erst danach abgerechnet. Wählen Sie einen früheren Monat.',
  USAGE_NOT_SETTLED: 'Die Nutzung von {resource} im {month} ist noch nicht vollständig gebucht, daher kann der Monat noch nicht abgerechnet werden. Versuchen Sie es in einigen Minuten erneut.',
  CREDIT_EXCEEDS_INVOICE: 'Von der Rechnung {invoice} sind noch {left} EUR netto gutzuschreiben. Geben Sie einen Betrag über 0 und höchstens diesen an.',
  INVALID_COUNTRY: 'Das Land {value} in {field} ist ungültig. Geben Sie einen zweistelligen ISO-3166-Code wie DE oder AT an.',
  INVALID_VAT_ID: 'Die USt-IdNr. {value} in {field} ist ungültig. Geben Sie sie mit Ländercode an, etwa DE123456789.',
  INVALID_IBAN: 'Die IBAN {value} in {field} ist ungültig: Länge oder Prüfziffern stimmen nicht. Übernehmen Sie sie erneut vom Kontoauszug.',
  INVALID_MANDATE: 'Das Mandat ist ungültig: {field} {reason}. Korrigieren Sie es und senden Sie es erneut.',
  NOT_CAMT053: 'Die Datei in {field} ist kein ISO-20022-Kontoauszug im Format CAMT.053 ({reason}). Exportieren Sie den Auszug bei Ihrer Bank als camt.053-XML.',
  BANK_LINE_BOOKED: 'Die Kontobewegung {id} ist bereits gebucht ({transaction}). Jede eingehende Zahlung wird nur einmal gebucht.',
  SERVER_BUSY: 'Server {id} wird gerade gelöscht oder geändert. Warten Sie, bis Vorgang {operation} beendet ist.',
  TENANT_NOT_EMPTY: 'Der Mandant {name} hat noch {count} Server: {servers}. Löschen Sie diese zuerst (Server, alle Mandanten) und dann den Mandanten.',
  TENANT_IS_OWN: 'Mit dem Mandanten {name} sind Sie angemeldet; ihn können Sie nicht löschen. Melden Sie sich als Betreiber eines anderen Mandanten an.',
  IDEMPOTENCY_KEY_REUSED:
    'Der Idempotency-Key {key} wurde bereits für eine andere Anfrage benutzt. Verwenden Sie für eine neue Anfrage einen neuen Schlüssel.',
  WEAK_PASSWORD: 'Das Passwort ist zu schwach: {reason}. Verwenden Sie mindestens 12 Zeichen aus Buchstaben, Ziffern und Sonderzeichen.',
  INVALID_SSH_KEY: 'SSH-Schlüssel {index} ist kein gültiger öffentlicher Schlüssel: {reason}. Fügen Sie eine Zeile einer OpenSSH-.pub-Datei ein.',
  UNSUPPORTED_KIND: 'Diese Engine kann keine Server der Art {kind} betreiben. Erstellen Sie stattdessen einen Container.',
  ACCOUNT_LOCKED: 'Zu viele fehlgeschlagene Anmeldungen. Warten Sie {seconds} Sekunden und versuchen Sie es erneut.',
  PAYLOAD_TOO_LARGE: 'Der Inhalt der Anfrage ist größer als {limit} Bytes. Senden Sie weniger Daten.',
  UNSUPPORTED_MEDIA_TYPE: 'Der Inhalt der Anfrage hat den content-type {contentType}, den diese API nicht liest. Senden Sie JSON mit content-type application/json.',
  NO_ADDRESS_LEFT: 'Im Netz {network} ist keine Adresse mehr frei. Löschen Sie einen Server oder bitten Sie den Betreiber um ein größeres Netz.',
  HOST_NOT_READY: 'Dieser Host kann noch keine Server aus dem Image {image} starten: Ihm fehlt etwas, das sie brauchen. Der Betreiber weiß Bescheid; versuchen Sie es später erneut oder wählen Sie ein anderes Image.',
  ENGINE_ERROR: 'Der Hypervisor konnte die Änderung nicht ausführen. Der Betreiber sieht den Grund im Protokoll; versuchen Sie es später erneut oder fragen Sie den Betreiber.',
  PROXMOX_UNREACHABLE: 'Der Proxmox-VE-Cluster unter {url} hat nicht geantwortet: {reason}. Prüfen Sie die URL (https://KNOTEN:8006), die Firewall und den Zertifikat-Fingerabdruck oder die CA.',
  PROXMOX_TOKEN_REFUSED: 'Der Proxmox-VE-Cluster unter {url} hat das API-Token {tokenId} abgelehnt. Prüfen Sie die Token-ID (user@realm!tokenid) und ihr Geheimnis unter Rechenzentrum → Berechtigungen → API-Token.',
  PROXMOX_PRIVILEGES_MISSING: 'Dem API-Token {tokenId} fehlen diese Rechte auf / des Proxmox-VE-Clusters: {privileges}. Erteilen Sie sie dem Token (bei Rechtetrennung dem Token selbst) und versuchen Sie es erneut.',
  SECRET_KEY_INVALID: 'Die Schlüsseldatei {file}, mit der gespeicherte Geheimnisse versiegelt werden, ist kein 32-Byte-Schlüssel, oder die Geheimnisse wurden mit einem anderen versiegelt. Stellen Sie die ursprüngliche Schlüsseldatei wieder her oder registrieren Sie den Cluster erneut.',
  INTERNAL: 'Ein unerwarteter Fehler ist aufgetreten. Nennen Sie dem Betreiber die Anfrage-ID {requestId}.',
};

// The kinds of resource that {kind} names, as nouns of each language.
const KINDS: Record<string, Localized> = {
  server: { en: 'server', de: 'Server' },
  plan: { en: 'plan', de: 'Tarif' },
  image: { en: 'image', de: 'Image' },
  'ssh-key': { en: 'SSH key', de: 'SSH-Schlüssel' },
  'SSH key': { en: 'SSH key', de: 'SSH-Schlüssel' },
  tenant: { en: 'tenant', de: 'Mandant' },
  user: { en: 'user', de: 'Benutzer' },
  token: { en: 'API token', de: 'API-Token' },
  operation: { en: 'operation', de: 'Vorgang' },
  volume: { en: 'volume', de: 'Volume' },
  snapshot: { en: 'snapshot', de: 'Snapshot' },
  backup: { en: 'backup', de: 'Backup' },
  'backup target': { en: 'backup target', de: 'Backup-Ziel' },
  'backup schedule': { en: 'backup schedule', de: 'Backup-Zeitplan' },
  invoice: { en: 'invoice', de: 'Rechnung' },
};

const catalogs: Record<Language, Catalog> = { en, de };

/** Picks de or en from an Accept-Language header (English when nothing matches). */
export function pickLanguage(header: string | undefined): Language {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().toLowerCase().split(';');
      const q = rest.find((p) => p.trim().startsWith('q='));
      return { tag, q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('de')) return 'de';
    if (tag.startsWith('en') || tag === '*') return 'en';
  }
  return 'en';
}

/** A parameter or field message as text of a language: plain values as they are, texts in that language. */
export function inLanguage(lang: Language, value: MessageParam): string {
  return typeof value === 'object' ? value[lang] : String(value);
}

/** Renders the message of an error code in a language. */
export function message(lang: Language, code: ErrorCode, params: Record<string, MessageParam>): string {
  return catalogs[lang][code].replace(/\{(\w+)\}/g, (_, k: string) => {
    const value = params[k];
    if (value === undefined) return `{${k}}`;
    if (k === 'kind' && typeof value === 'string' && Object.hasOwn(KINDS, value)) return KINDS[value]![lang];
    return inLanguage(lang, value);
  });
}
