// Demo knowledge base: a dozen published help articles, written as an IT service provider writes them
// for its customers. Loaded by the demo seed and reused by the search evaluation corpus.

export interface DemoKbArticle {
  key: string;
  language: 'de' | 'en';
  title: string;
  category: string;
  tags: string[];
  body: string;
  translationOf?: string;
}

export const demoKbArticles: DemoKbArticle[] = [
  {
    key: 'drucker-offline',
    language: 'de',
    title: 'Drucker wird als „Offline“ angezeigt',
    category: 'Drucker & Scanner',
    tags: ['drucker', 'offline', 'windows', 'druckauftrag'],
    body: `Windows zeigt Ihren Drucker als „Offline“ an, und Druckaufträge bleiben liegen. Meist ist die Verbindung zwischen PC und Gerät unterbrochen, oder Windows hat den Status nicht aktualisiert.

## Schnellprüfung

- Ist das Gerät eingeschaltet, und zeigt das Display keine Störung?
- Steckt das Netzwerkkabel, bzw. ist das Gerät im Funknetz angemeldet?
- Funktioniert der Ausdruck vom PC eines Kollegen aus?

## Schritt für Schritt

1. Schalten Sie das Gerät aus, warten Sie 30 Sekunden und schalten Sie es wieder ein.
2. Öffnen Sie **Einstellungen > Bluetooth und Geräte > Drucker und Scanner** und wählen Sie den Drucker aus.
3. Öffnen Sie das Fenster mit den Druckaufträgen und entfernen Sie im Menü **Drucker** den Haken bei **Drucker offline verwenden**.
4. Starten Sie den PC neu, falls der Status danach nicht „Bereit“ lautet.
5. Lesen Sie am Bedienfeld des Geräts die IP-Adresse ab und vergleichen Sie sie mit dem Anschluss unter **Druckereigenschaften > Anschlüsse**.

## Wenn nichts hilft

Hat sich die IP-Adresse geändert, richten wir den Anschluss neu ein. Melden Sie sich mit der Seriennummer des Geräts (Aufkleber auf der Rückseite) im Kundenportal oder telefonisch bei unserem Helpdesk.`,
  },
  {
    key: 'outlook-postfach-voll',
    language: 'de',
    title: 'Outlook meldet „Postfach voll“',
    category: 'E-Mail & Outlook',
    tags: ['outlook', 'postfach', 'speicherplatz', 'archiv'],
    body: `Meldet Outlook, dass Ihr Postfach fast voll oder zu groß ist, können Sie bald keine Mails mehr senden und irgendwann auch keine mehr empfangen. Die Postfachgröße ist bei Microsoft 365 je nach Lizenz auf 50 GB oder 100 GB begrenzt; bei lokalen PST-Dateien erscheint stattdessen der Fehler 0x8004060C.

## Aktuelle Größe prüfen

1. Klicken Sie in Outlook auf **Datei > Informationen**.
2. Unter **Postfacheinstellungen** sehen Sie den belegten und den freien Speicher.
3. Über **Tools > Postfachbereinigung** zeigt Outlook die größten Ordner an.

## Platz schaffen

- Leeren Sie die Ordner **Gelöschte Elemente** und **Junk-E-Mail**.
- Sortieren Sie den Posteingang nach Größe und löschen Sie große Anhänge, die Sie bereits abgelegt haben.
- Verschieben Sie ältere Nachrichten in das **Online-Archiv**, sofern es für Ihr Konto aktiviert ist.
- Legen Sie wichtige Anhänge in SharePoint oder auf dem Dateiserver ab und löschen Sie die Nachricht danach.

## Mehr Speicher

Reicht der Platz dauerhaft nicht, können wir das Online-Archiv aktivieren oder eine größere Lizenz bestellen. Schreiben Sie uns dazu über das Kundenportal; wir melden uns mit einem Angebot.`,
  },
  {
    key: 'kennwort-vergessen',
    language: 'de',
    title: 'Kennwort vergessen: Kennwort selbst zurücksetzen',
    category: 'Konto & Anmeldung',
    tags: ['kennwort', 'konto', 'self-service', 'microsoft365'],
    body: `Haben Sie Ihr Kennwort vergessen oder ist Ihr Konto nach mehreren Fehlversuchen gesperrt, können Sie es in den meisten Fällen selbst zurücksetzen – ohne auf unseren Helpdesk zu warten.

## Voraussetzungen

- Für Ihr Microsoft-365-Konto ist eine Telefonnummer oder eine private E-Mail-Adresse hinterlegt.
- Sie haben Zugriff auf ein zweites Gerät mit Internetverbindung.

## So gehen Sie vor

1. Öffnen Sie im Browser die Seite \`https://aka.ms/sspr\`.
2. Geben Sie Ihre geschäftliche E-Mail-Adresse ein und lösen Sie das Bilderrätsel.
3. Wählen Sie, ob der Bestätigungscode per SMS oder an Ihre private Adresse gesendet wird.
4. Geben Sie den Code ein und vergeben Sie ein neues Kennwort.
5. Melden Sie sich an Ihrem Windows-PC mit dem neuen Kennwort an. Der PC braucht dafür eine Verbindung ins Internet oder ins Firmennetz.

## Kennwortrichtlinie

Das neue Kennwort muss mindestens 12 Zeichen lang sein, Groß- und Kleinbuchstaben sowie eine Ziffer enthalten und darf keinem Ihrer letzten fünf Kennwörter entsprechen. Es läuft nach 365 Tagen ab; Sie werden zwei Wochen vorher erinnert.

## Kein Zugriff auf die hinterlegte Nummer?

Rufen Sie unseren Helpdesk an. Aus Sicherheitsgründen setzen wir Kennwörter nur nach einem Rückruf an die bei uns hinterlegte Nummer Ihres Vorgesetzten zurück.`,
  },
  {
    key: 'vpn-fehler-809',
    language: 'de',
    title: 'VPN-Verbindung schlägt fehl (Fehler 809)',
    category: 'Netzwerk & VPN',
    tags: ['vpn', 'homeoffice', 'fehlercode', 'router'],
    body: `Beim Verbindungsaufbau mit dem Firmen-VPN erscheint „Die Netzwerkverbindung zwischen dem Computer und dem VPN-Server konnte nicht hergestellt werden“ mit Fehler 809. Die Ursache liegt fast immer im Netz, über das Sie gerade ins Internet gehen, nicht am Firmenserver.

## Häufige Ursachen

- Der Router im Homeoffice oder das Gäste-Netz im Hotel blockiert die VPN-Ports (UDP 500 und 4500).
- Ein mobiler Hotspot mit Carrier-NAT lässt IPsec nicht durch.
- Die Firewall eines zusätzlichen Sicherheitsprogramms greift ein.

## Lösung

1. Trennen Sie die Verbindung und starten Sie Ihren Router neu.
2. Testen Sie zum Vergleich einen anderen Internetzugang, etwa einen mobilen Hotspot.
3. Aktivieren Sie im Router die Option **VPN-Passthrough** bzw. **IPsec-Passthrough**.
4. Starten Sie den PC neu und bauen Sie die Verbindung erneut auf.

## Andere Fehlercodes

- **Fehler 691**: Benutzername oder Kennwort wurden abgelehnt. Prüfen Sie, ob Ihr Kennwort kürzlich geändert wurde.
- **Fehler 720** oder **Fehler 812**: Ihr Konto ist nicht für den VPN-Zugang freigeschaltet. Bitte melden Sie sich bei uns.

Tritt Fehler 809 in jedem Netz auf, schicken Sie uns über das Kundenportal einen Screenshot der Meldung und den Namen Ihres Internetanbieters.`,
  },
  {
    key: 'usv-piept-akku-tauschen',
    language: 'de',
    title: 'USV piept: Akku prüfen und tauschen',
    category: 'Hardware',
    tags: ['usv', 'akku', 'stromausfall', 'server'],
    body: `Eine unterbrechungsfreie Stromversorgung (USV) schützt Server und Netzwerktechnik bei Stromausfall. Piept die USV, hat das meist eine von drei Ursachen: Stromausfall, Überlast oder ein verbrauchter Akku.

## Signal deuten

- **Piepton alle 30 Sekunden**: Die USV läuft im Batteriebetrieb, der Strom ist ausgefallen. Prüfen Sie die Sicherung im Serverschrank.
- **Dauerton**: Überlast. Ziehen Sie Geräte ab, die nicht an die USV gehören, etwa Laserdrucker oder Heizlüfter.
- **Piepton alle 5 Stunden** oder rote LED am Akkusymbol: Der Akku muss getauscht werden.

## Akku tauschen

Die Akkus halten je nach Raumtemperatur drei bis fünf Jahre. Der Tausch ist bei den meisten Modellen im laufenden Betrieb möglich:

1. Notieren Sie Modell und Seriennummer vom Typenschild.
2. Bestellen Sie den passenden Ersatzakku bei uns; mit Wartungsvertrag übernehmen wir den Tausch.
3. Öffnen Sie die Frontblende, ziehen Sie den Stecker des alten Akkupacks und setzen Sie den neuen ein.
4. Starten Sie über das Display den **Selbsttest**.

## Wichtig

Stummschalten beseitigt nicht die Ursache. Melden Sie eine piepende USV immer unserem Helpdesk, damit wir die Überbrückungszeit bei Stromausfall prüfen und das Herunterfahren der Server testen können.`,
  },
  {
    key: 'netzwerkdrucker-einrichten',
    language: 'de',
    title: 'Netzwerkdrucker am PC einrichten',
    category: 'Drucker & Scanner',
    tags: ['drucker', 'druckserver', 'treiber', 'einrichtung'],
    body: `Neue Mitarbeitende oder ein neuer PC brauchen Zugriff auf die Netzwerkdrucker im Büro. Bei den meisten Kunden stellen wir die Geräte zentral über einen Druckserver bereit.

## Über den Druckserver (empfohlen)

1. Drücken Sie **Windows-Taste + R**, geben Sie \`\\\\print01\` ein und bestätigen Sie mit Enter.
2. Doppelklicken Sie auf den gewünschten Drucker. Windows lädt den Treiber automatisch und richtet ihn ein.
3. Legen Sie den Drucker unter **Einstellungen > Drucker und Scanner** bei Bedarf als Standard fest.

## Direkt per IP-Adresse

Gibt es keinen Druckserver, fügen Sie das Gerät direkt hinzu:

1. Öffnen Sie **Drucker und Scanner > Gerät hinzufügen** und wählen Sie **Manuell hinzufügen**.
2. Wählen Sie **Drucker unter Verwendung einer TCP/IP-Adresse hinzufügen**.
3. Geben Sie die IP-Adresse ein, die das Bedienfeld unter **Netzwerkeinstellungen** anzeigt.
4. Installieren Sie den Treiber des Herstellers, wenn Windows keinen passenden findet.

## Fehler 0x0000011b

Erscheint beim Hinzufügen der Fehler 0x0000011b, fehlt dem PC ein Sicherheitsupdate, oder die Freigabe auf dem Druckserver muss angepasst werden. Installieren Sie ausstehende Updates und versuchen Sie es erneut. Hilft das nicht, übernehmen wir die Einrichtung per Fernwartung – halten Sie dafür den Namen Ihres PCs bereit.`,
  },
  {
    key: 'windows-update-haengt',
    language: 'de',
    title: 'Windows-Update hängt oder bricht ab',
    category: 'Software',
    tags: ['windows', 'update', 'neustart', 'fehlercode'],
    body: `Bleibt die Installation von Updates bei einem bestimmten Prozentwert stehen oder bricht sie mit einem Fehler ab, gehen Sie wie folgt vor. Geduld lohnt sich: Große Funktionsupdates brauchen auf älteren Geräten bis zu zwei Stunden.

## Hängt bei „Updates werden bearbeitet“

1. Warten Sie mindestens 60 Minuten, solange die Aktivitäts-LED blinkt.
2. Tut sich danach nichts mehr, halten Sie den Einschaltknopf 10 Sekunden gedrückt und starten Sie neu.
3. Windows macht die unvollständigen Änderungen dann meist selbst rückgängig.

## Update bricht mit Fehler ab

1. Öffnen Sie **Einstellungen > Windows Update > Updateverlauf** und notieren Sie den Fehlercode.
2. Starten Sie unter **System > Problembehandlung > Andere Problembehandlungen** die Problembehandlung für Windows Update.
3. Starten Sie neu und suchen Sie erneut nach Updates.

## Bekannte Fehlercodes

- \`0x800f0922\`: Keine Verbindung zum Updateserver, oft bei aktivem VPN. Trennen Sie das VPN und versuchen Sie es erneut.
- \`0x80070002\`: Beschädigte Updatedateien. Die Problembehandlung löscht sie.
- \`0x80070070\`: Zu wenig freier Platz für die Installation.

Bei verwalteten Geräten verteilen wir Updates zentral in einem Wartungsfenster. Hängt ein Gerät länger als einen Tag fest, melden Sie sich bitte mit dem Fehlercode bei uns.`,
  },
  {
    key: 'bitlocker-wiederherstellungsschluessel',
    language: 'de',
    title: 'BitLocker fragt nach dem Wiederherstellungsschlüssel',
    category: 'Sicherheit',
    tags: ['bitlocker', 'verschlüsselung', 'wiederherstellung', 'sicherheit'],
    body: `Beim Start zeigt Ihr Gerät die blaue Meldung „BitLocker-Wiederherstellung“ und verlangt einen 48-stelligen Schlüssel. Das passiert zum Beispiel nach einem BIOS-Update, einem Hardwaretausch oder mehreren falschen PIN-Eingaben. Ihre Daten sind nicht verloren.

## Schlüssel finden

1. Notieren Sie die **Schlüssel-ID** (die ersten acht Zeichen), die in der Meldung angezeigt wird.
2. Öffnen Sie auf einem anderen Gerät \`https://aka.ms/aadrecoverykey\` und melden Sie sich mit Ihrem Firmenkonto an.
3. Wählen Sie unter **Geräte** Ihr Gerät aus und klicken Sie auf **BitLocker-Schlüssel anzeigen**.
4. Vergleichen Sie die Schlüssel-ID und geben Sie den 48-stelligen Wiederherstellungsschlüssel ein.

## Schlüssel nicht auffindbar?

Rufen Sie unseren Helpdesk an. Wir lesen den Schlüssel nach einer Identitätsprüfung aus der Geräteverwaltung aus. Halten Sie dafür bereit:

- den Gerätenamen (Aufkleber auf der Unterseite),
- die Schlüssel-ID,
- Ihren Benutzernamen.

## Wichtig

Geben Sie den Wiederherstellungsschlüssel niemals per E-Mail oder Chat an Dritte weiter – wir fragen Sie nie unaufgefordert danach. Erscheint die Abfrage nach jedem Neustart erneut, prüfen wir TPM-Chip und BIOS-Einstellungen per Fernwartung.`,
  },
  {
    key: 'printer-offline',
    language: 'en',
    title: 'Printer shows as "Offline"',
    category: 'Printers & scanners',
    tags: ['printer', 'offline', 'windows', 'printing'],
    translationOf: 'drucker-offline',
    body: `Windows lists your printer as "Offline" and documents stay in the queue. Usually the connection between the computer and the device has been interrupted, or Windows has not refreshed the status.

## Quick checks

- Is the device switched on, and is its display free of error messages?
- Is the network cable plugged in, or is the device connected to the wireless network?
- Can a colleague print to it from their computer?

## Step by step

1. Switch the device off, wait 30 seconds and switch it back on.
2. Open **Settings > Bluetooth & devices > Printers & scanners** and select the printer.
3. Open the print queue window, open the **Printer** menu and untick **Use Printer Offline**.
4. Restart the computer if the status does not change to "Ready".
5. Read the IP address from the device's control panel and compare it with the port under **Printer properties > Ports**.

## Still offline?

If the IP address has changed, we will reconfigure the port for you. Contact our helpdesk by phone or through the customer portal and quote the serial number from the label on the back of the device.`,
  },
  {
    key: 'password-reset',
    language: 'en',
    title: 'Forgot your password? Reset it yourself',
    category: 'Account & sign-in',
    tags: ['password', 'account', 'self-service', 'microsoft365'],
    translationOf: 'kennwort-vergessen',
    body: `If you have forgotten your password, or your account is locked after too many failed attempts, you can usually reset it yourself – no need to wait for our helpdesk.

## Before you start

- A phone number or a private email address is registered for your Microsoft 365 account.
- You have a second device with internet access.

## How to reset

1. Open \`https://aka.ms/sspr\` in your browser.
2. Enter your work email address and solve the picture puzzle.
3. Choose whether the verification code is sent by text message or to your private address.
4. Enter the code and choose a new password.
5. Sign in to your Windows computer with the new password. The computer must be connected to the internet or the office network.

## Password policy

Your new password must be at least 12 characters long, contain upper- and lower-case letters and a digit, and must not match any of your last five passwords. It expires after 365 days; you are reminded two weeks before.

## No access to the registered number?

Call our helpdesk. For security reasons we only reset passwords after calling back the number we have on file for your manager.`,
  },
  {
    key: 'vpn-error-809',
    language: 'en',
    title: 'VPN connection fails (error 809)',
    category: 'Network & VPN',
    tags: ['vpn', 'home-office', 'error-code', 'router'],
    translationOf: 'vpn-fehler-809',
    body: `When you connect to the company VPN, Windows reports "The network connection between your computer and the VPN server could not be established" with error 809. The cause is almost always the network you are using to reach the internet, not the company server.

## Common causes

- Your home router or the guest network at a hotel blocks the VPN ports (UDP 500 and 4500).
- A mobile hotspot using carrier-grade NAT does not let IPsec through.
- The firewall of an additional security suite interferes.

## Fix

1. Disconnect and restart your router.
2. For comparison, try a different internet connection, such as a mobile hotspot.
3. Enable **VPN passthrough** or **IPsec passthrough** in your router settings.
4. Restart the computer and connect again.

## Other error codes

- **Error 691**: The user name or password was rejected. Check whether your password was changed recently.
- **Error 720** or **error 812**: Your account has not been enabled for VPN access. Please contact us.

If error 809 appears on every network, send us a screenshot of the message and the name of your internet provider through the customer portal.`,
  },
  {
    key: 'teams-camera-not-working',
    language: 'en',
    title: 'Microsoft Teams: camera not working',
    category: 'Software',
    tags: ['teams', 'camera', 'video', 'meeting'],
    body: `Other participants see only your initials, or Teams shows "We can't find a camera"? Work through these steps before your next meeting.

## Check the hardware

- Is the privacy shutter on the laptop closed, or is the camera switched off with a function key (often **F8** or **F10**)?
- If you use an external camera, plug it directly into the computer instead of a USB hub.
- Close other apps that may be using the camera, such as Zoom or the Windows Camera app.

## Check the settings

1. In Teams, click **… > Settings > Devices** and select the right camera under **Camera**. The preview should show your picture.
2. Open Windows **Settings > Privacy & security > Camera** and make sure **Camera access** and **Let apps access your camera** are on.
3. In the new Teams, also check that **Microsoft Teams** is allowed in that list.
4. Restart Teams completely: right-click the icon in the taskbar and choose **Quit**.

## Still a black picture?

Open **Device Manager**, expand **Cameras**, right-click the device and choose **Uninstall device**, then restart the computer. Windows installs the driver again. If the camera does not appear in Device Manager at all, the hardware may be faulty; we will arrange a repair under your support contract.`,
  },
];
