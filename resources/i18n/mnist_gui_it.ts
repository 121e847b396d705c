<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>ConfigPanel</name>
    <message>
        <source> to </source>
        <translation> a </translation>
    </message>
    <message>
        <source>Range: {span}.</source>
        <translation>Intervallo: {span}.</translation>
    </message>
    <message>
        <source>{label} ({name}): {text} is not a number</source>
        <translation>{label} ({name}): {text} non è un numero</translation>
    </message>
    <message>
        <source>{label} ({name}): {text} is not a whole number</source>
        <translation>{label} ({name}): {text} non è un numero intero</translation>
    </message>
    <message>
        <source>{label} ({name}): {text}: expected digits like 8,7</source>
        <translation>{label} ({name}): {text}: servono cifre come 8,7</translation>
    </message>
    <message>
        <source>Custom settings</source>
        <translation>Impostazioni personalizzate</translation>
    </message>
    <message>
        <source>Your own settings: any field edited after a preset</source>
        <translation>Le tue impostazioni: qualunque campo modificato dopo un preset</translation>
    </message>
    <message>
        <source>A ready-made configuration: the articles this app grew out of, and ours.
Editing any field below turns it into custom settings.</source>
        <translation>Una configurazione pronta: gli articoli da cui è nata questa app, e le nostre.
Modificare un campo qui sotto la trasforma in impostazioni personalizzate.</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Preset</translation>
    </message>
    <message>
        <source>Advanced settings</source>
        <translation>Impostazioni avanzate</translation>
    </message>
    <message>
        <source>Settings that rarely need changing</source>
        <translation>Impostazioni che raramente serve cambiare</translation>
    </message>
    <message>
        <source>The layer sizes, the number of weights and biases, and the memory a run needs</source>
        <translation>Le dimensioni degli strati, il numero di pesi e bias, e la memoria che serve a una sessione</translation>
    </message>
    <message>
        <source>Why Train is disabled: fix this setting first</source>
        <translation>Perché Addestra è disattivato: prima correggi questa impostazione</translation>
    </message>
    <message>
        <source>all ten (or e.g. 8,7)</source>
        <translation>tutte e dieci (o ad es. 8,7)</translation>
    </message>
    <message>
        <source>{label} (input 784 → … → output)</source>
        <translation>{label} (ingresso 784 → … → uscita)</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Unità</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>Attivazione</translation>
    </message>
    <message>
        <source>One row per hidden layer, from the input side; select a row and press Remove layer to delete it.</source>
        <translation>Una riga per strato nascosto, dal lato dell&apos;ingresso; seleziona una riga e premi Rimuovi strato per eliminarlo.</translation>
    </message>
    <message>
        <source>Add layer</source>
        <translation>Aggiungi strato</translation>
    </message>
    <message>
        <source>Add a hidden layer after the last one (same size)</source>
        <translation>Aggiungi uno strato nascosto dopo l&apos;ultimo (stessa dimensione)</translation>
    </message>
    <message>
        <source>Remove layer</source>
        <translation>Rimuovi strato</translation>
    </message>
    <message>
        <source>Remove the selected hidden layer (or the last one)</source>
        <translation>Rimuovi lo strato nascosto selezionato (o l&apos;ultimo)</translation>
    </message>
    <message>
        <source>{label} (all layers)</source>
        <translation>{label} (tutti gli strati)</translation>
    </message>
    <message>
        <source>{label}: the function this layer&apos;s units apply.</source>
        <translation>{label}: la funzione che applicano le unità di questo strato.</translation>
    </message>
    <message numerus="yes">
        <source>{sizes}: %Ln parameter(s), about {megabytes} MB for training</source>
        <translation>
            <numerusform>{sizes}: %Ln parametro, circa {megabytes} MB per l&apos;addestramento</numerusform>
            <numerusform>{sizes}: %Ln parametri, circa {megabytes} MB per l&apos;addestramento</numerusform>
        </translation>
    </message>
    <message>
        <source>Disabled: used only when {condition}.</source>
        <translation>Disattivato: si usa solo quando {condition}.</translation>
    </message>
    <message>
        <source>on</source>
        <translation>attivo</translation>
    </message>
    <message>
        <source>{setting} is {values}</source>
        <translation>{setting} è {values}</translation>
    </message>
    <message>
        <source> or </source>
        <translation> o </translation>
    </message>
    <message>
        <source>{setting} is not {value}</source>
        <translation>{setting} non è {value}</translation>
    </message>
    <message>
        <source>other settings change (it does nothing with the current ones)</source>
        <translation>cambiano altre impostazioni (con quelle attuali non ha effetto)</translation>
    </message>
</context>
<context>
    <name>CurvesPanel</name>
    <message>
        <source>training</source>
        <translation>addestramento</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>validazione</translation>
    </message>
    <message>
        <source>test</source>
        <translation>test</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>epoca</translation>
    </message>
    <message>
        <source>samples seen</source>
        <translation>campioni visti</translation>
    </message>
    <message>
        <source>Hover over a plot to read its values</source>
        <translation>Passa il mouse su un grafico per leggerne i valori</translation>
    </message>
    <message>
        <source>
&lt;h3&gt;Nothing trained yet&lt;/h3&gt;
&lt;p&gt;Pick a preset or your own settings on the left and press &lt;b&gt;Train&lt;/b&gt; (Ctrl+T).&lt;/p&gt;
&lt;p&gt;While the network learns, this tab shows:&lt;/p&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Loss&lt;/b&gt;: how wrong the network is (lower is better). A light line follows every
batch (smoothed); dots mark each epoch&apos;s loss on the training and test images, and on the
validation images when the settings hold some back.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Accuracy&lt;/b&gt;: the share of digits it gets right, per batch and per epoch.&lt;/li&gt;
&lt;li&gt;The &lt;b&gt;learning rate&lt;/b&gt; (dashed, right axis), with a mark where it jumps.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;Hover over a plot to read its values.&lt;/p&gt;
</source>
        <translation>
&lt;h3&gt;Ancora nessun addestramento&lt;/h3&gt;
&lt;p&gt;Scegli un preset o le tue impostazioni a sinistra e premi &lt;b&gt;Addestra&lt;/b&gt; (Ctrl+T).&lt;/p&gt;
&lt;p&gt;Mentre la rete impara, questa scheda mostra:&lt;/p&gt;
&lt;ul&gt;
&lt;li&gt;La &lt;b&gt;perdita&lt;/b&gt;: quanto sbaglia la rete (più bassa è meglio). Una linea chiara segue
ogni batch (smussata); i punti segnano la perdita di ogni epoca sulle immagini di
addestramento e di test, e su quelle di validazione quando le impostazioni ne tengono da parte.&lt;/li&gt;
&lt;li&gt;L&apos;&lt;b&gt;accuratezza&lt;/b&gt;: la quota di cifre riconosciute, per batch e per epoca.&lt;/li&gt;
&lt;li&gt;Il &lt;b&gt;tasso di apprendimento&lt;/b&gt; (tratteggiato, asse destro), con un segno dove salta.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;Passa il mouse su un grafico per leggerne i valori.&lt;/p&gt;
</translation>
    </message>
    <message>
        <source>Log-scale loss</source>
        <translation>Perdita in scala logaritmica</translation>
    </message>
    <message>
        <source>Show the loss on a logarithmic axis: small losses late in training become readable, and so does a loss that explodes.
Switched on by itself when the loss grows 100x.</source>
        <translation>Mostra la perdita su un asse logaritmico: diventano leggibili le perdite piccole a fine addestramento, e anche una perdita che esplode.
Si attiva da sola quando la perdita cresce di 100 volte.</translation>
    </message>
    <message>
        <source>The values under the mouse: the epoch&apos;s losses and accuracies, or the batch curves between epochs</source>
        <translation>I valori sotto il mouse: perdite e accuratezze dell&apos;epoca, o le curve per batch tra un&apos;epoca e l&apos;altra</translation>
    </message>
    <message>
        <source>Smoothing of the batch curves (live and overlaid runs): an exponential moving average, each point keeping this share of the average before it.
0 shows the raw batch losses.</source>
        <translation>Smussamento delle curve per batch (dal vivo e sessioni sovrapposte): una media mobile esponenziale, in cui ogni punto conserva questa quota della media precedente.
0 mostra le perdite grezze dei batch.</translation>
    </message>
    <message>
        <source>x: epochs</source>
        <translation>x: epoche</translation>
    </message>
    <message>
        <source>x: samples seen</source>
        <translation>x: campioni visti</translation>
    </message>
    <message>
        <source>The x axis of both plots: epochs, or training samples seen (runs with different data subsets or batch sizes compare fairly)</source>
        <translation>L&apos;asse x di entrambi i grafici: epoche, o campioni di addestramento visti (così si confrontano in modo equo sessioni con sottoinsiemi di dati o batch di dimensioni diverse)</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>Smussamento</translation>
    </message>
    <message>
        <source>The curves appear here when a run starts</source>
        <translation>Le curve compaiono qui quando parte una sessione</translation>
    </message>
    <message>
        <source>Recorded runs checked in the Runs tab, one colour each, named by the settings that differ between them.
Line on the loss plot: batch loss. Triangles on the accuracy plot: test accuracy (solid) and validation accuracy (dashed).</source>
        <translation>Le sessioni registrate spuntate nella scheda Sessioni, un colore ciascuna, con il nome delle impostazioni che le distinguono.
Linea sul grafico della perdita: perdita per batch. Triangoli sul grafico dell&apos;accuratezza: accuratezza di test (pieni) e di validazione (tratteggiati).</translation>
    </message>
    <message>
        <source>Loss: how wrong the network is, lower is better.
Light line: every batch, smoothed. Dots: each epoch on the training, test (and validation) images.
Dashed grey, right axis: the learning rate; purple lines mark where it jumps.
Test loss rising while training loss falls means overfitting.</source>
        <translation>Perdita: quanto sbaglia la rete, più bassa è meglio.
Linea chiara: ogni batch, smussata. Punti: ogni epoca sulle immagini di addestramento, di test (e di validazione).
Grigio tratteggiato, asse destro: il tasso di apprendimento; le linee viola segnano dove salta.
Se la perdita di test sale mentre quella di addestramento scende, è sovradattamento (overfitting).</translation>
    </message>
    <message>
        <source>Accuracy: the share of digits classified correctly, in %.
Light line: every batch, smoothed. Dots: each epoch. A simple MLP reaches 97-98.5% on the test set.</source>
        <translation>Accuratezza: la quota di cifre classificate correttamente, in %.
Linea chiara: ogni batch, smussata. Punti: ogni epoca. Un semplice MLP arriva al 97-98,5% sul test set.</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>perdita</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>accuratezza (%)</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>tasso di apprendimento</translation>
    </message>
    <message>
        <source>viewing epoch {epoch}</source>
        <translation>vista dell&apos;epoca {epoch}</translation>
    </message>
    <message>
        <source>loss not finite</source>
        <translation>perdita non finita</translation>
    </message>
    <message>
        <source>(continues {run})</source>
        <translation>(continua {run})</translation>
    </message>
    <message>
        <source>raw</source>
        <translation>grezzo</translation>
    </message>
    <message>
        <source>lr {rate}</source>
        <translation>tasso {rate}</translation>
    </message>
    <message>
        <source>{what} at epoch {epoch}</source>
        <translation>{what} all&apos;epoca {epoch}</translation>
    </message>
    <message>
        <source>batch (smoothed)</source>
        <translation>batch (smussato)</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>batch</translation>
    </message>
    <message>
        <source>learning rate (right)</source>
        <translation>tasso di apprendimento (destra)</translation>
    </message>
    <message>
        <source>{samples} samples seen</source>
        <translation>{samples} campioni visti</translation>
    </message>
    <message>
        <source>live: {readout}</source>
        <translation>dal vivo: {readout}</translation>
    </message>
    <message>
        <source>epoch {epoch} (loss / accuracy)</source>
        <translation>epoca {epoch} (perdita / accuratezza)</translation>
    </message>
    <message>
        <source>epoch {epoch}</source>
        <translation>epoca {epoch}</translation>
    </message>
    <message>
        <source>batch loss {loss}</source>
        <translation>perdita del batch {loss}</translation>
    </message>
    <message>
        <source>batch accuracy {accuracy}</source>
        <translation>accuratezza del batch {accuracy}</translation>
    </message>
    <message>
        <source> (smoothed)</source>
        <translation> (smussato)</translation>
    </message>
</context>
<context>
    <name>DigitHistoryView</name>
    <message>
        <source>All test digits</source>
        <translation>Tutte le cifre di test</translation>
    </message>
    <message>
        <source>Learned at epoch</source>
        <translation>Imparate all&apos;epoca</translation>
    </message>
    <message>
        <source>Forgotten (right, then wrong later)</source>
        <translation>Dimenticate (giuste, poi sbagliate)</translation>
    </message>
    <message>
        <source>Never learned</source>
        <translation>Mai imparate</translation>
    </message>
    <message>
        <source>Test-set order</source>
        <translation>Ordine del test set</translation>
    </message>
    <message>
        <source>Lowest p(true class) now first</source>
        <translation>Prima la p(classe vera) attuale più bassa</translation>
    </message>
    <message>
        <source>Learned latest first</source>
        <translation>Prima le imparate più tardi</translation>
    </message>
    <message>
        <source>learned</source>
        <translation>imparata</translation>
    </message>
    <message>
        <source>never learned</source>
        <translation>mai imparata</translation>
    </message>
    <message>
        <source>forgotten</source>
        <translation>dimenticata</translation>
    </message>
    <message>
        <source>forgotten, then learned again</source>
        <translation>dimenticata, poi imparata di nuovo</translation>
    </message>
    <message>
        <source>Which test digits to list, by their learning over the run</source>
        <translation>Quali cifre di test elencare, in base al loro apprendimento nella sessione</translation>
    </message>
    <message>
        <source>The epoch after which the listed digits stayed right</source>
        <translation>L&apos;epoca dopo la quale le cifre elencate sono rimaste giuste</translation>
    </message>
    <message>
        <source>The order of the listed digits</source>
        <translation>L&apos;ordine delle cifre elencate</translation>
    </message>
    <message>
        <source>The digits the filter keeps; click one to see its p(true class) over the run</source>
        <translation>Le cifre che il filtro tiene; cliccane una per vederne la p(classe vera) lungo la sessione</translation>
    </message>
    <message>
        <source>p(true class) of the selected digit after each epoch: green where it was classified right, red where wrong</source>
        <translation>p(classe vera) della cifra scelta dopo ogni epoca: verde dove è stata classificata giusta, rosso dove sbagliata</translation>
    </message>
    <message>
        <source>p(true class)</source>
        <translation>p(classe vera)</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>epoca</translation>
    </message>
    <message>
        <source>Select a digit.</source>
        <translation>Scegli una cifra.</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Mostra</translation>
    </message>
    <message>
        <source>sorted by</source>
        <translation>ordinate per</translation>
    </message>
    <message>
        <source>No digit history: train or select a run.</source>
        <translation>Nessuna storia delle cifre: addestra o scegli una sessione.</translation>
    </message>
    <message>
        <source> (a {digit})</source>
        <translation> (un {digit})</translation>
    </message>
    <message>
        <source>, learned at epoch {epoch}</source>
        <translation>, imparata all&apos;epoca {epoch}</translation>
    </message>
    <message>
        <source>Test digit #{index}{label}: {status}{when}
p(true class) after the last epoch: {p}</source>
        <translation>Cifra di test n. {index}{label}: {status}{when}
p(classe vera) dopo l&apos;ultima epoca: {p}</translation>
    </message>
    <message>
        <source>Select a digit to see its
p(true class) over the run.</source>
        <translation>Scegli una cifra per vederne
la p(classe vera) lungo la sessione.</translation>
    </message>
    <message>
        <source>; the first {shown} are shown</source>
        <translation>; se ne mostrano le prime {shown}</translation>
    </message>
    <message numerus="yes">
        <source>%Ln digit(s) of {total}{shown}</source>
        <translation>
            <numerusform>%Ln cifra su {total}{shown}</numerusform>
            <numerusform>%Ln cifre su {total}{shown}</numerusform>
        </translation>
    </message>
    <message>
        <source>How many test digits the filter keeps</source>
        <translation>Quante cifre di test tiene il filtro</translation>
    </message>
    <message>
        <source>, a {digit}</source>
        <translation>, un {digit}</translation>
    </message>
    <message>
        <source>Test digit #{index}{label}: {status}</source>
        <translation>Cifra di test n. {index}{label}: {status}</translation>
    </message>
</context>
<context>
    <name>DigitsController</name>
    <message>
        <source>The lab opens units of a fixed model: when the run ends, or a model opened from a file</source>
        <translation>Il Laboratorio apre le unità di un modello fisso: quando la sessione finisce, o un modello aperto da file</translation>
    </message>
</context>
<context>
    <name>FilesController</name>
    <message>
        <source>mnist-gui models (*.npz)</source>
        <translation>Modelli mnist-gui (*.npz)</translation>
    </message>
    <message>
        <source>Stop the training run before opening a model.</source>
        <translation>Ferma la sessione di addestramento prima di aprire un modello.</translation>
    </message>
    <message>
        <source>Opening {file}…</source>
        <translation>Apertura di {file}…</translation>
    </message>
    <message>
        <source>Opened {file}: {sizes}, classes {classes}, test accuracy {accuracy}</source>
        <translation>Aperto {file}: {sizes}, classi {classes}, accuratezza di test {accuracy}</translation>
    </message>
    <message>
        <source>Opened {file}: {sizes}, classes {classes}, not scored: it does not take 28x28 images</source>
        <translation>Aperto {file}: {sizes}, classi {classes}, non valutato: non accetta immagini 28x28</translation>
    </message>
    <message>
        <source>Cannot open model</source>
        <translation>Impossibile aprire il modello</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>Niente da salvare</translation>
    </message>
    <message>
        <source>Train or open a model first.</source>
        <translation>Prima addestra o apri un modello.</translation>
    </message>
    <message>
        <source>Cannot save model</source>
        <translation>Impossibile salvare il modello</translation>
    </message>
    <message>
        <source>Saved {file} ({model})</source>
        <translation>Salvato {file} ({model})</translation>
    </message>
    <message>
        <source>the shown model</source>
        <translation>il modello mostrato</translation>
    </message>
    <message>
        <source>Nothing to export</source>
        <translation>Niente da esportare</translation>
    </message>
    <message>
        <source>Exporting {file}…</source>
        <translation>Esportazione di {file}…</translation>
    </message>
    <message>
        <source>Exported {file}: input &quot;pixels&quot; (N, 784) in [0, 1], output &quot;probabilities&quot;</source>
        <translation>Esportato {file}: ingresso &quot;pixels&quot; (N, 784) in [0, 1], uscita &quot;probabilities&quot;</translation>
    </message>
    <message>
        <source>Cannot export as ONNX</source>
        <translation>Impossibile esportare in ONNX</translation>
    </message>
    <message>
        <source>Cannot use that image</source>
        <translation>Impossibile usare quell&apos;immagine</translation>
    </message>
    <message>
        <source>Classifying {file}: {answer}</source>
        <translation>Classificazione di {file}: {answer}</translation>
    </message>
    <message>
        <source>No epoch to export: the shown model has no training history here. Train a model, or select its run in Runs, then export its curves.</source>
        <translation>Nessuna epoca da esportare: qui il modello mostrato non ha una storia di addestramento. Addestra un modello, o seleziona la sua sessione in Sessioni, poi esportane le curve.</translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation>Impossibile esportare</translation>
    </message>
    <message>
        <source>Exported {png}, {csv} and {shown}</source>
        <translation>Esportati {png}, {csv} e {shown}</translation>
    </message>
    <message>
        <source>Reading MNIST files in {folder}…</source>
        <translation>Lettura dei file MNIST in {folder}…</translation>
    </message>
    <message>
        <source>Data from {folder}: {train} training and {test} test images; the views show them</source>
        <translation>Dati da {folder}: {train} immagini di addestramento e {test} di test; le viste li mostrano</translation>
    </message>
    <message>
        <source>Cannot use that data folder</source>
        <translation>Impossibile usare quella cartella di dati</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>Apri modello</translation>
    </message>
    <message>
        <source>Save model: {model}</source>
        <translation>Salva modello: {model}</translation>
    </message>
    <message>
        <source>Folder with the four MNIST-format IDX files</source>
        <translation>Cartella con i quattro file IDX in formato MNIST</translation>
    </message>
    <message>
        <source>Classify an image of a digit</source>
        <translation>Classifica l&apos;immagine di una cifra</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif)</source>
        <translation>Immagini (*.png *.jpg *.jpeg *.bmp *.gif)</translation>
    </message>
    <message>
        <source>Export curves (PNG and CSV)</source>
        <translation>Esporta le curve (PNG e CSV)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Immagine PNG (*.png)</translation>
    </message>
    <message>
        <source>Export as ONNX: {model}</source>
        <translation>Esporta in ONNX: {model}</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>Modello ONNX (*.onnx)</translation>
    </message>
    <message>
        <source>the current model</source>
        <translation>il modello attuale</translation>
    </message>
</context>
<context>
    <name>HealthPanel</name>
    <message>
        <source>No findings yet: they appear while a model trains.</source>
        <translation>Ancora nessuna segnalazione: compaiono mentre un modello si addestra.</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>strato</translation>
    </message>
    <message>
        <source>update / weight</source>
        <translation>aggiornamento / peso</translation>
    </message>
    <message>
        <source>dead / saturated</source>
        <translation>morte / sature</translation>
    </message>
    <message>
        <source>pre-act. mean</source>
        <translation>media pre-att.</translation>
    </message>
    <message>
        <source>pre-act. spread</source>
        <translation>dispersione pre-att.</translation>
    </message>
    <message>
        <source>Weight layer (1 = the first) and its activation</source>
        <translation type="vanished">Strato di pesi (1 = il primo) e la sua attivazione</translation>
    </message>
    <message>
        <source>Frobenius norm of the loss gradient for this layer&apos;s weights</source>
        <translation>Norma di Frobenius del gradiente della perdita rispetto ai pesi di questo strato</translation>
    </message>
    <message>
        <source>How much one step changed the weights, relative to their size (about 1e-3 is typical)</source>
        <translation>Quanto un passo ha cambiato i pesi, rispetto alla loro grandezza (circa 1e-3 è tipico)</translation>
    </message>
    <message>
        <source>ReLU: units never active on the probe digits; sigmoid/tanh: units stuck near a bound</source>
        <translation>ReLU: unità mai attive sulle cifre di prova; sigmoid/tanh: unità bloccate vicino a un limite</translation>
    </message>
    <message>
        <source>Mean of the pre-activations z = xW + b on the probe digits</source>
        <translation type="vanished">Media delle pre-attivazioni z = xW + b sulle cifre di prova</translation>
    </message>
    <message>
        <source>Weight layer (1 = the first), its normalisation if any, and its activation</source>
        <translation>Strato di pesi (1 = il primo), la sua normalizzazione se c&apos;è e la sua attivazione</translation>
    </message>
    <message>
        <source>Mean of the pre-activations z = xW + b on the probe digits (after the layer&apos;s normalisation, if it has one: what the activation takes)</source>
        <translation>Media delle pre-attivazioni z = xW + b sulle cifre di prova (dopo la normalizzazione dello strato, se c&apos;è: ciò che riceve l&apos;attivazione)</translation>
    </message>
    <message>
        <source>Standard deviation of the pre-activations (near 0 or huge: trouble)</source>
        <translation>Deviazione standard delle pre-attivazioni (vicina a 0 o enorme: problemi)</translation>
    </message>
    <message>
        <source>What the rules found, each with a suggested change</source>
        <translation>Cosa hanno trovato le regole, ciascuna con una modifica suggerita</translation>
    </message>
    <message>
        <source>Per layer, at the latest measurement</source>
        <translation>Per strato, all&apos;ultima misura</translation>
    </message>
    <message>
        <source>Top: gradient norm and update/weight ratio per layer over the run (log scale). Bottom: each layer&apos;s output histogram</source>
        <translation>In alto: norma del gradiente e rapporto aggiornamento/peso per strato lungo la sessione (scala logaritmica). In basso: l&apos;istogramma dell&apos;uscita di ogni strato</translation>
    </message>
    <message>
        <source>gradient norm ‖∇W‖ (colours: layers below)</source>
        <translation>norma del gradiente ‖∇W‖ (colori: strati sotto)</translation>
    </message>
    <message>
        <source>update / weight (dotted: 1e-3)</source>
        <translation>aggiornamento / peso (punteggiato: 1e-3)</translation>
    </message>
    <message>
        <source>Health is measured while a run trains: an opened model has no measurements. Train, or continue its run, to see them.</source>
        <translation>La salute si misura mentre una sessione si addestra: un modello aperto non ha misure. Addestra, o continua la sua sessione, per vederle.</translation>
    </message>
    <message>
        <source>Fine-tuning is not measured: train or continue a run to see the health of its layers.</source>
        <translation>L&apos;affinamento non viene misurato: addestra o continua una sessione per vedere la salute dei suoi strati.</translation>
    </message>
    <message>
        <source>No measurements: the run ended before the first (at most one every 100 batches).</source>
        <translation>Nessuna misura: la sessione è finita prima della prima (al più una ogni 100 batch).</translation>
    </message>
    <message>
        <source>{share} dead</source>
        <translation>{share} morte</translation>
    </message>
    <message>
        <source>{share} saturated</source>
        <translation>{share} sature</translation>
    </message>
    <message>
        <source>layer {layer} output ({activation})</source>
        <translation>uscita dello strato {layer} ({activation})</translation>
    </message>
    <message>
        <source>layer {layer} logits (before {activation})</source>
        <translation>logit dello strato {layer} (prima di {activation})</translation>
    </message>
    <message>
        <source>No findings: every rule is quiet.</source>
        <translation>Nessuna segnalazione: tutte le regole tacciono.</translation>
    </message>
    <message>
        <source>Rule &apos;{rule}&apos; (see Help &gt; Health rules)</source>
        <translation>Regola &apos;{rule}&apos; (vedi Aiuto &gt; Regole di salute)</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Applica</translation>
    </message>
    <message>
        <source>Put this change in the settings form: {change}</source>
        <translation>Metti questa modifica nel modulo delle impostazioni: {change}</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>batch</translation>
    </message>
    <message>
        <source>⚠ {message}{end} Try: {fix}.</source>
        <translation>⚠ {message}{end} Prova: {fix}.</translation>
    </message>
</context>
<context>
    <name>InspectPanel</name>
    <message>
        <source>what would make it a …</source>
        <translation>cosa la renderebbe un …</translation>
    </message>
    <message>
        <source>ink to add (red) / remove (blue)</source>
        <translation>inchiostro da aggiungere (rosso) / togliere (blu)</translation>
    </message>
    <message>
        <source>Gradient</source>
        <translation>Gradiente</translation>
    </message>
    <message>
        <source>Gradient × input</source>
        <translation>Gradiente × ingresso</translation>
    </message>
    <message>
        <source>Integrated gradients</source>
        <translation>Gradienti integrati</translation>
    </message>
    <message>
        <source>Hover a unit to see its value and what feeds it; click it to open it in the Lab.</source>
        <translation>Passa su un&apos;unità per vederne il valore e cosa la alimenta; cliccala per aprirla nel Laboratorio.</translation>
    </message>
    <message>
        <source>hovered first-layer unit&apos;s weights</source>
        <translation>pesi dell&apos;unità del primo strato sotto il mouse</translation>
    </message>
    <message>
        <source>ink</source>
        <translation>inchiostro</translation>
    </message>
    <message>
        <source>bounding box</source>
        <translation>riquadro</translation>
    </message>
    <message>
        <source>scaled into the 20x20 box</source>
        <translation>scalata nel riquadro 20x20</translation>
    </message>
    <message>
        <source>centre of mass centred</source>
        <translation>baricentro al centro</translation>
    </message>
    <message>
        <source>logit</source>
        <translation>logit</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>probabilità</translation>
    </message>
    <message>
        <source>Inspect a digit: draw one, pick a mistake, or open an image.</source>
        <translation>Esamina una cifra: disegnane una, scegli un errore o apri un&apos;immagine.</translation>
    </message>
    <message>
        <source>Pixels that push</source>
        <translation>Pixel che spingono</translation>
    </message>
    <message>
        <source>The class whose output is explained (default: the answer)</source>
        <translation>La classe di cui si spiega l&apos;uscita (predefinita: la risposta)</translation>
    </message>
    <message>
        <source>vs</source>
        <translation>contro</translation>
    </message>
    <message>
        <source>Explain the difference between two classes (a confusion)</source>
        <translation>Spiega la differenza tra due classi (una confusione)</translation>
    </message>
    <message>
        <source>Explain the class&apos;s logit (pre-softmax score) or its probability</source>
        <translation>Spiega il logit della classe (punteggio prima del softmax) o la sua probabilità</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>passi</translation>
    </message>
    <message>
        <source>Integrated gradients: path steps; SmoothGrad: noisy samples</source>
        <translation>Gradienti integrati: passi del percorso; SmoothGrad: campioni rumorosi</translation>
    </message>
    <message>
        <source>What would make it a</source>
        <translation>Cosa la renderebbe un</translation>
    </message>
    <message>
        <source>The smallest change to the 28x28 input that makes the network answer the chosen digit</source>
        <translation>La più piccola modifica all&apos;ingresso 28x28 che fa rispondere alla rete la cifra scelta</translation>
    </message>
    <message>
        <source>sort units</source>
        <translation>ordina le unità</translation>
    </message>
    <message>
        <source>Show each layer&apos;s units from the most to the least active</source>
        <translation>Mostra le unità di ogni strato dalla più alla meno attiva</translation>
    </message>
    <message>
        <source>input</source>
        <translation>ingresso</translation>
    </message>
    <message>
        <source>attributions</source>
        <translation>attribuzioni</translation>
    </message>
    <message>
        <source>Nearest training digits (last hidden layer)</source>
        <translation>Cifre di addestramento più vicine (ultimo strato nascosto)</translation>
    </message>
    <message>
        <source>input (as the network gets it)</source>
        <translation>ingresso (come lo riceve la rete)</translation>
    </message>
    <message>
        <source>hidden {layer}: {units} {kind}</source>
        <translation>nascosto {layer}: {units} {kind}</translation>
    </message>
    <message>
        <source>probabilities</source>
        <translation>probabilità</translation>
    </message>
    <message>
        <source>This model takes {inputs} inputs, not 28x28 images: it cannot be inspected on digits.</source>
        <translation>Questo modello prende {inputs} ingressi, non immagini 28x28: non si può esaminare su cifre.</translation>
    </message>
    <message>
        <source>the answer</source>
        <translation>la risposta</translation>
    </message>
    <message>
        <source>Load or train a model to inspect digits.</source>
        <translation>Apri o addestra un modello per esaminare le cifre.</translation>
    </message>
    <message>
        <source>Nothing to inspect: draw a digit, or pick one in Mistakes.</source>
        <translation>Niente da esaminare: disegna una cifra, o scegline una in Errori.</translation>
    </message>
    <message>
        <source>The network answers {answer} ({probability})</source>
        <translation>La rete risponde {answer} ({probability})</translation>
    </message>
    <message>
        <source>; the label is {label}, not a class of this model ({classes})</source>
        <translation>; l&apos;etichetta è {label}, che non è una classe di questo modello ({classes})</translation>
    </message>
    <message>
        <source>right</source>
        <translation>giusta</translation>
    </message>
    <message>
        <source>wrong</source>
        <translation>sbagliata</translation>
    </message>
    <message>
        <source>; the label is {label} ({verdict})</source>
        <translation>; l&apos;etichetta è {label} ({verdict})</translation>
    </message>
    <message>
        <source>{output} of {digit}</source>
        <translation>{output} di {digit}</translation>
    </message>
    <message>
        <source>working out what would make it a {digit}…</source>
        <translation>calcolo di cosa la renderebbe un {digit}…</translation>
    </message>
    <message>
        <source>a {digit} to the network ({probability})</source>
        <translation>un {digit} per la rete ({probability})</translation>
    </message>
    <message numerus="yes">
        <source>no {digit} within %n step(s)</source>
        <translation>
            <numerusform>nessun {digit} entro %n passo</numerusform>
            <numerusform>nessun {digit} entro %n passi</numerusform>
        </translation>
    </message>
    <message>
        <source>change: add red, remove blue (L2 {l2})</source>
        <translation>modifica: aggiungi il rosso, togli il blu (L2 {l2})</translation>
    </message>
    <message>
        <source>hidden layer 1, unit {unit}: {value} (its incoming weights are on the right; click to open it in the Lab)</source>
        <translation>strato nascosto 1, unità {unit}: {value} (i suoi pesi in ingresso sono a destra; clicca per aprirla nel Laboratorio)</translation>
    </message>
    <message>
        <source>unit {unit} ({push})</source>
        <translation>unità {unit} ({push})</translation>
    </message>
    <message>
        <source>hidden layer {layer}, unit {unit}: {value}; strongest inputs from layer {previous}: {parts} (click to open it in the Lab)</source>
        <translation>strato nascosto {layer}, unità {unit}: {value}; ingressi più forti dallo strato {previous}: {parts} (clicca per aprirla nel Laboratorio)</translation>
    </message>
</context>
<context>
    <name>LabPanel</name>
    <message>
        <source>A run is training: the {view} takes its model when the run ends (or view a moment of a run in Runs).</source>
        <translation>Una sessione si sta addestrando: {view} prende il suo modello quando la sessione finisce (oppure guarda un momento di una sessione in Sessioni).</translation>
    </message>
    <message>
        <source>The hidden layer of the unit shown</source>
        <translation>Lo strato nascosto dell&apos;unità mostrata</translation>
    </message>
    <message>
        <source>The unit (0-based) of that layer; click a unit in the weights heatmap or Inspect to pick it there</source>
        <translation>L&apos;unità (da 0) di quello strato; clicca un&apos;unità nella mappa dei pesi o in Esamina per sceglierla lì</translation>
    </message>
    <message>
        <source>The factor &apos;Scale unit&apos; multiplies the unit&apos;s output by</source>
        <translation>Il fattore per cui &apos;Scala unità&apos; moltiplica l&apos;uscita dell&apos;unità</translation>
    </message>
    <message>
        <source>Share of the weights with the smallest magnitude to set to 0</source>
        <translation>Quota dei pesi di modulo più piccolo da mettere a 0</translation>
    </message>
    <message>
        <source>per layer</source>
        <translation>per strato</translation>
    </message>
    <message>
        <source>Prune that share in each layer separately (else over all weights together)</source>
        <translation>Pota quella quota in ogni strato separatamente (altrimenti su tutti i pesi insieme)</translation>
    </message>
    <message>
        <source>Noise standard deviation, relative to each layer&apos;s weight RMS</source>
        <translation>Deviazione standard del rumore, relativa al valore efficace (RMS) dei pesi di ogni strato</translation>
    </message>
    <message>
        <source>Scale unit</source>
        <translation>Scala unità</translation>
    </message>
    <message>
        <source>Set this unit&apos;s output factor (replaces an earlier factor, or switching it off)</source>
        <translation>Imposta il fattore d&apos;uscita di questa unità (sostituisce un fattore precedente o lo spegnimento)</translation>
    </message>
    <message>
        <source>Prune</source>
        <translation>Pota</translation>
    </message>
    <message>
        <source>Zero the smallest weights (biases are kept)</source>
        <translation>Azzera i pesi più piccoli (i bias restano)</translation>
    </message>
    <message>
        <source>Add noise</source>
        <translation>Aggiungi rumore</translation>
    </message>
    <message>
        <source>Add seeded Gaussian noise to every non-zero weight</source>
        <translation>Aggiungi rumore gaussiano (con seme) a ogni peso non nullo</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Undo the last edit</source>
        <translation>Annulla l&apos;ultima modifica</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Ripeti</translation>
    </message>
    <message>
        <source>Redo the edit undone last</source>
        <translation>Ripeti l&apos;ultima modifica annullata</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Ripristina</translation>
    </message>
    <message>
        <source>Back to the original model (redo still works)</source>
        <translation>Torna al modello originale (Ripeti funziona ancora)</translation>
    </message>
    <message>
        <source>Save edited model…</source>
        <translation>Salva il modello modificato…</translation>
    </message>
    <message>
        <source>Save the edited model; its file records the edits</source>
        <translation>Salva il modello modificato; il file registra le modifiche</translation>
    </message>
    <message>
        <source>No model yet: train one or open a model file.</source>
        <translation>Ancora nessun modello: addestrane uno o apri un file di modello.</translation>
    </message>
    <message>
        <source>Test accuracy of the edited model (and of the original)</source>
        <translation>Accuratezza di test del modello modificato (e dell&apos;originale)</translation>
    </message>
    <message>
        <source>The edits in force, oldest first</source>
        <translation>Le modifiche in vigore, dalla più vecchia</translation>
    </message>
    <message>
        <source>The selected unit: incoming weights (red +, blue −), the 9 test digits that activate it most, its outgoing path to each class</source>
        <translation>L&apos;unità scelta: pesi in ingresso (rosso +, blu −), le 9 cifre di test che la attivano di più, il suo percorso in uscita verso ogni classe</translation>
    </message>
    <message>
        <source>incoming weights</source>
        <translation>pesi in ingresso</translation>
    </message>
    <message>
        <source>9 most-activating digits</source>
        <translation>le 9 cifre che la attivano di più</translation>
    </message>
    <message>
        <source>path to each class</source>
        <translation>percorso verso ogni classe</translation>
    </message>
    <message>
        <source>Confusion matrix of the edited model: rows true class, columns predicted</source>
        <translation>Matrice di confusione del modello modificato: righe classe vera, colonne classe predetta</translation>
    </message>
    <message>
        <source>Per-class precision, recall, F1 and support</source>
        <translation>Precisione, richiamo, F1 e supporto per classe</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Strato</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Unità</translation>
    </message>
    <message>
        <source>noise</source>
        <translation>rumore</translation>
    </message>
    <message>
        <source>lab</source>
        <translation>il Laboratorio</translation>
    </message>
    <message>
        <source>hidden {layer} ({units})</source>
        <translation>nascosto {layer} ({units})</translation>
    </message>
    <message numerus="yes">
        <source>%Ln unit(s)</source>
        <translation>
            <numerusform>%Ln unità</numerusform>
            <numerusform>%Ln unità</numerusform>
        </translation>
    </message>
    <message>
        <source>Scoring the model on the test digits…</source>
        <translation>Valutazione del modello sulle cifre di test…</translation>
    </message>
    <message>
        <source>Lab: {message}</source>
        <translation>Laboratorio: {message}</translation>
    </message>
    <message>
        <source>Test accuracy &lt;b&gt;{accuracy}&lt;/b&gt;</source>
        <translation>Accuratezza di test &lt;b&gt;{accuracy}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>(original {accuracy})</source>
        <translation>(originale {accuracy})</translation>
    </message>
    <message numerus="yes">
        <source>{zeros} of weights are 0, %n unit(s) off; scored in {ms} ms</source>
        <translation>
            <numerusform>{zeros} dei pesi a 0, %n unità spenta; valutato in {ms} ms</numerusform>
            <numerusform>{zeros} dei pesi a 0, %n unità spente; valutato in {ms} ms</numerusform>
        </translation>
    </message>
    <message>
        <source>(no edits: the original model)</source>
        <translation>(nessuna modifica: il modello originale)</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>precisione</translation>
    </message>
    <message>
        <source>recall</source>
        <translation>richiamo</translation>
    </message>
    <message>
        <source>support</source>
        <translation>supporto</translation>
    </message>
    <message>
        <source>Switch off</source>
        <translation>Spegni</translation>
    </message>
    <message>
        <source>Switch on</source>
        <translation>Accendi</translation>
    </message>
    <message>
        <source>Give this unit its output back (factor 1)</source>
        <translation>Restituisci a questa unità la sua uscita (fattore 1)</translation>
    </message>
    <message>
        <source>Set this unit&apos;s output to 0</source>
        <translation>Porta a 0 l&apos;uscita di questa unità</translation>
    </message>
    <message>
        <source>incoming weights of unit {unit}</source>
        <translation>pesi in ingresso dell&apos;unità {unit}</translation>
    </message>
    <message>
        <source>out</source>
        <translation>uscita</translation>
    </message>
    <message>
        <source>Save edited model</source>
        <translation>Salva il modello modificato</translation>
    </message>
    <message>
        <source>mnist-gui models (*.npz)</source>
        <translation>modelli mnist-gui (*.npz)</translation>
    </message>
    <message>
        <source>Could not save: {error}</source>
        <translation>Salvataggio non riuscito: {error}</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>Salvato in {path}</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Lingua</translation>
    </message>
    <message>
        <source>System ({language})</source>
        <translation>Sistema ({language})</translation>
    </message>
    <message>
        <source>A new language is used after a restart</source>
        <translation>La nuova lingua si usa dal prossimo avvio</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&lt;h3&gt;mnist-gui {version}&lt;/h3&gt;&lt;p&gt;Watch a from-scratch NumPy multilayer perceptron learn MNIST: curves, weights, mistakes, and digits you draw yourself.&lt;/p&gt;&lt;p&gt;MNIST data: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, &quot;The MNIST database of handwritten digits&quot;, licensed under Creative Commons Attribution-Share Alike 3.0.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;mnist-gui {version}&lt;/h3&gt;&lt;p&gt;Guarda un percettrone multistrato, scritto da zero in NumPy, mentre impara MNIST: curve, pesi, errori e cifre che disegni tu.&lt;/p&gt;&lt;p&gt;Dati MNIST: Yann LeCun, Corinna Cortes e Christopher J.C. Burges, &quot;The MNIST database of handwritten digits&quot;, con licenza Creative Commons Attribuzione - Condividi allo stesso modo 3.0.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Ready: pick a preset or set up a network, then press Train.</source>
        <translation>Pronto: scegli un preset o imposta una rete, poi premi Addestra.</translation>
    </message>
    <message>
        <source>Stop and quit</source>
        <translation>Ferma ed esci</translation>
    </message>
    <message>
        <source>mnist-gui: watch a neural network learn</source>
        <translation>mnist-gui: guarda una rete neurale mentre impara</translation>
    </message>
    <message>
        <source>Your digits could not be read ({error}); new ones are kept in a temporary folder</source>
        <translation>Impossibile leggere le tue cifre ({error}); le nuove si tengono in una cartella temporanea</translation>
    </message>
    <message>
        <source>Architecture &amp;&amp; training</source>
        <translation>Architettura &amp;&amp; addestramento</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>&amp;Apri modello…</translation>
    </message>
    <message>
        <source>&amp;Save model…</source>
        <translation>&amp;Salva modello…</translation>
    </message>
    <message>
        <source>Open &amp;data folder…</source>
        <translation>Apri cartella &amp;dati…</translation>
    </message>
    <message>
        <source>&amp;Classify an image…</source>
        <translation>&amp;Classifica un&apos;immagine…</translation>
    </message>
    <message>
        <source>&amp;Export curves…</source>
        <translation>Esporta cur&amp;ve…</translation>
    </message>
    <message>
        <source>Export as O&amp;NNX…</source>
        <translation>Esporta in O&amp;NNX…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Esci</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Visualizza</translation>
    </message>
    <message>
        <source>&amp;Training</source>
        <translation>A&amp;ddestramento</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Addestra</translation>
    </message>
    <message>
        <source>&amp;Pause / resume</source>
        <translation>&amp;Pausa / riprendi</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Ferma</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <source>&amp;Health rules</source>
        <translation>Regole della &amp;salute</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>&amp;Informazioni</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Addestramento…</translation>
    </message>
    <message>
        <source>Unexpected error (logged, the app carries on): {error}</source>
        <translation>Errore imprevisto (registrato nel log, l&apos;app continua): {error}</translation>
    </message>
    <message>
        <source>Training {parameters} on {images}, {batches} of {size} per epoch</source>
        <translation>Addestramento di {parameters} su {images}, {batches} da {size} per epoca</translation>
    </message>
    <message numerus="yes">
        <source>%Ln parameter(s)</source>
        <translation>
            <numerusform>%Ln parametro</numerusform>
            <numerusform>%Ln parametri</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln image(s)</source>
        <translation>
            <numerusform>%Ln immagine</numerusform>
            <numerusform>%Ln immagini</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln batch(es)</source>
        <translation>
            <numerusform>%Ln batch</numerusform>
            <numerusform>%Ln batch</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing to continue: train a run first.</source>
        <translation>Niente da continuare: prima addestra una sessione.</translation>
    </message>
    <message>
        <source>Invalid settings</source>
        <translation>Impostazioni non valide</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Riprendi</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausa</translation>
    </message>
    <message>
        <source>Cannot train: {reason}</source>
        <translation>Impossibile addestrare: {reason}</translation>
    </message>
    <message>
        <source>Cannot use those settings</source>
        <translation>Impossibile usare quelle impostazioni</translation>
    </message>
    <message>
        <source>Settings of the selected run loaded into the form</source>
        <translation>Impostazioni della sessione selezionata caricate nel modulo</translation>
    </message>
    <message>
        <source>The Health view&apos;s findings, each from one rule, checked while a run trains:</source>
        <translation>Le segnalazioni della vista Salute, ciascuna da una regola che si controlla mentre una sessione si addestra:</translation>
    </message>
    <message>
        <source>Health rules</source>
        <translation>Regole della salute</translation>
    </message>
    <message>
        <source>About mnist-gui</source>
        <translation>Informazioni su mnist-gui</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>Addestramento in corso</translation>
    </message>
    <message>
        <source>A training run is still going. Stop it and quit?</source>
        <translation>Una sessione di addestramento è ancora in corso. Fermarla e uscire?</translation>
    </message>
    <message>
        <source>Waiting for the current batch to finish, then quitting…</source>
        <translation>Attendo la fine del batch in corso, poi esco…</translation>
    </message>
</context>
<context>
    <name>MapPanel</name>
    <message>
        <source>No model yet: train one or open a model file.</source>
        <translation>Ancora nessun modello: addestrane uno o apri un file di modello.</translation>
    </message>
    <message>
        <source>Layer: which layer&apos;s view of the digits to map</source>
        <translation>Strato: di quale strato mappare la visione delle cifre</translation>
    </message>
    <message>
        <source>Compute t-SNE</source>
        <translation>Calcola t-SNE</translation>
    </message>
    <message>
        <source>A t-SNE map of this layer (separates clusters better than PCA; about 15 s for 10,000 digits, runs in the background)</source>
        <translation>Una mappa t-SNE di questo strato (separa i gruppi meglio della PCA; circa 15 s per 10.000 cifre, gira in sottofondo)</translation>
    </message>
    <message>
        <source>Back to PCA</source>
        <translation>Torna alla PCA</translation>
    </message>
    <message>
        <source>Show the instant PCA map again</source>
        <translation>Mostra di nuovo la mappa PCA immediata</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Stop the t-SNE computation</source>
        <translation>Ferma il calcolo t-SNE</translation>
    </message>
    <message>
        <source>t-SNE progress</source>
        <translation>Avanzamento t-SNE</translation>
    </message>
    <message>
        <source>What the map shows</source>
        <translation>Cosa mostra la mappa</translation>
    </message>
    <message>
        <source>Colour = the digit&apos;s true class; ring = the network got it wrong</source>
        <translation>Colore = la vera classe della cifra; anello = la rete ha sbagliato</translation>
    </message>
    <message>
        <source>The digit under the mouse</source>
        <translation>La cifra sotto il mouse</translation>
    </message>
    <message>
        <source>hover a point</source>
        <translation>passa su un punto</translation>
    </message>
    <message>
        <source>This model takes {inputs} inputs: it cannot be mapped on 28x28 digits.</source>
        <translation>Questo modello prende {inputs} ingressi: non si può mappare su cifre 28x28.</translation>
    </message>
    <message>
        <source>Map: {message}</source>
        <translation>Mappa: {message}</translation>
    </message>
    <message>
        <source>PCA: the two directions of largest spread ({first} and {second} of the variance)</source>
        <translation>PCA: le due direzioni di massima dispersione ({first} e {second} della varianza)</translation>
    </message>
    <message>
        <source>t-SNE ({seconds} s): near points look alike to this layer</source>
        <translation>t-SNE ({seconds} s): i punti vicini si somigliano per questo strato</translation>
    </message>
    <message>
        <source>{digits} test digits as the {layer} sees them — {how}; {mistakes} mistakes ringed.</source>
        <translation>{digits} cifre di test viste da «{layer}» — {how}; {mistakes} errori cerchiati.</translation>
    </message>
    <message>
        <source>Computing t-SNE in the background…</source>
        <translation>Calcolo di t-SNE in sottofondo…</translation>
    </message>
    <message>
        <source>t-SNE cancelled: showing PCA.</source>
        <translation>t-SNE annullato: mostro la PCA.</translation>
    </message>
    <message>
        <source>t-SNE failed: {message}</source>
        <translation>t-SNE non riuscito: {message}</translation>
    </message>
    <message>
        <source>wrong</source>
        <translation>sbagliata</translation>
    </message>
    <message>
        <source>right</source>
        <translation>giusta</translation>
    </message>
    <message>
        <source>test digit #{index}
true {label} ({verdict})
click to inspect</source>
        <translation>cifra di test n. {index}
vera {label} ({verdict})
clicca per esaminarla</translation>
    </message>
    <message>
        <source>hidden layer {layer} ({units})</source>
        <translation>strato nascosto {layer} ({units})</translation>
    </message>
    <message numerus="yes">
        <source>%Ln unit(s)</source>
        <translation>
            <numerusform>%Ln unità</numerusform>
            <numerusform>%Ln unità</numerusform>
        </translation>
    </message>
    <message>
        <source>input (pixels)</source>
        <translation>ingresso (pixel)</translation>
    </message>
    <message>
        <source>output (logits)</source>
        <translation>uscita (logit)</translation>
    </message>
    <message>
        <source>t-SNE needs openTSNE: pip install &apos;mnist-gui[map]&apos;</source>
        <translation>t-SNE richiede openTSNE: pip install &apos;mnist-gui[map]&apos;</translation>
    </message>
</context>
<context>
    <name>MomentBanner</name>
    <message>
        <source>Back to live</source>
        <translation>Torna al vivo</translation>
    </message>
    <message>
        <source>Show the live (or last) model again</source>
        <translation>Mostra di nuovo il modello dal vivo (o l&apos;ultimo)</translation>
    </message>
    <message>
        <source>Viewing {moment}</source>
        <translation>Stai guardando {moment}</translation>
    </message>
    <message>
        <source>Viewing {moment} (the run is paused behind it: Back to live shows it)</source>
        <translation>Stai guardando {moment} (la sessione è in pausa dietro: Torna al vivo la mostra)</translation>
    </message>
    <message>
        <source>Viewing {moment} (training goes on: Back to live shows it)</source>
        <translation>Stai guardando {moment} (l&apos;addestramento continua: Torna al vivo lo mostra)</translation>
    </message>
</context>
<context>
    <name>MomentsController</name>
    <message>
        <source>epoch {epoch} of run {run}</source>
        <translation>l&apos;epoca {epoch} della sessione {run}</translation>
    </message>
    <message>
        <source>it could not be scored</source>
        <translation>non è stato possibile valutarlo</translation>
    </message>
    <message>
        <source>Cannot show that moment: {message}</source>
        <translation>Impossibile mostrare quel momento: {message}</translation>
    </message>
</context>
<context>
    <name>PersonalController</name>
    <message>
        <source>Fine-tuning needs a model and no run in progress.</source>
        <translation>L&apos;affinamento richiede un modello e nessuna sessione in corso.</translation>
    </message>
    <message>
        <source>Draw a few digits and keep them first (&quot;This is a…&quot;).</source>
        <translation>Prima disegna qualche cifra e tienila (&quot;Questo è un…&quot;).</translation>
    </message>
    <message>
        <source>Cannot fine-tune</source>
        <translation>Impossibile affinare</translation>
    </message>
    <message>
        <source>none of your digits is of a class this model knows ({classes})</source>
        <translation>nessuna delle tue cifre è di una classe che questo modello conosce ({classes})</translation>
    </message>
    <message>
        <source>Fine-tuning on MNIST and your digits…</source>
        <translation>Affinamento su MNIST e sulle tue cifre…</translation>
    </message>
    <message>
        <source>; left out (not a class of this model): {digits}</source>
        <translation>; escluse (non sono classi di questo modello): {digits}</translation>
    </message>
    <message>
        <source>Fine-tuned: your digits {before} -&gt; {after}, test accuracy {accuracy}{left_out}</source>
        <translation>Affinato: le tue cifre {before} -&gt; {after}, accuratezza di test {accuracy}{left_out}</translation>
    </message>
</context>
<context>
    <name>RobustnessPanel</name>
    <message>
        <source>current model</source>
        <translation>modello attuale</translation>
    </message>
    <message>
        <source>noise</source>
        <translation>rumore</translation>
    </message>
    <message>
        <source>rotation</source>
        <translation>rotazione</translation>
    </message>
    <message>
        <source>degrees</source>
        <translation>gradi</translation>
    </message>
    <message>
        <source>shift</source>
        <translation>spostamento</translation>
    </message>
    <message>
        <source>pixels</source>
        <translation>pixel</translation>
    </message>
    <message>
        <source>occlusion</source>
        <translation>occlusione</translation>
    </message>
    <message>
        <source>square side (px)</source>
        <translation>lato del quadrato (px)</translation>
    </message>
    <message>
        <source>stroke thickness</source>
        <translation>spessore del tratto</translation>
    </message>
    <message>
        <source>pixels (− thinner)</source>
        <translation>pixel (− più sottile)</translation>
    </message>
    <message>
        <source>Robustness curves being computed (each level is the whole test set, perturbed)</source>
        <translation>Curve di robustezza in calcolo (ogni livello è l&apos;intero test set, perturbato)</translation>
    </message>
    <message>
        <source>No model yet: train one or open a model file.</source>
        <translation>Ancora nessun modello: addestrane uno o apri un file di modello.</translation>
    </message>
    <message>
        <source>What is shown</source>
        <translation>Cosa si vede</translation>
    </message>
    <message>
        <source>Confidence threshold: below it the model answers &quot;I don&apos;t know&quot; (the Draw tab uses it)</source>
        <translation>Soglia di confidenza: sotto di essa il modello risponde &quot;Non lo so&quot; (la usa la scheda Disegna)</translation>
    </message>
    <message>
        <source>At this threshold: share of test digits answered, and accuracy on those</source>
        <translation>A questa soglia: quota di cifre di test a cui risponde, e accuratezza su quelle</translation>
    </message>
    <message>
        <source>Test accuracy against each disturbance; every curve starts at the plain test accuracy (no disturbance)</source>
        <translation>Accuratezza di test per ogni disturbo; ogni curva parte dall&apos;accuratezza di test semplice (nessun disturbo)</translation>
    </message>
    <message>
        <source>answered (- -), accuracy (—)</source>
        <translation>risposte (- -), accuratezza (—)</translation>
    </message>
    <message>
        <source>confidence threshold</source>
        <translation>soglia di confidenza</translation>
    </message>
    <message>
        <source>accuracy %</source>
        <translation>accuratezza %</translation>
    </message>
    <message>
        <source>One colour per model; bottom right: dashed = share of digits answered, solid = accuracy on those</source>
        <translation>Un colore per modello; in basso a destra: tratteggiata = quota di cifre con risposta, continua = accuratezza su quelle</translation>
    </message>
    <message>
        <source>&quot;I don&apos;t know&quot; below</source>
        <translation>&quot;Non lo so&quot; sotto</translation>
    </message>
    <message>
        <source>robustness view</source>
        <translation>vista Robustezza</translation>
    </message>
    <message>
        <source>run {name}</source>
        <translation>sessione {name}</translation>
    </message>
    <message>
        <source>{name} (other)</source>
        <translation>{name} (altro)</translation>
    </message>
    <message>
        <source>Computing the curves of {model}…</source>
        <translation>Calcolo delle curve di {model}…</translation>
    </message>
    <message>
        <source>Robustness: {message}</source>
        <translation>Robustezza: {message}</translation>
    </message>
    <message>
        <source>No curves yet.</source>
        <translation>Ancora nessuna curva.</translation>
    </message>
    <message>
        <source>Plain test accuracy (no disturbance) — {accuracies} — on {digits} test digits, seed {seed}.</source>
        <translation>Accuratezza di test semplice (nessun disturbo) — {accuracies} — su {digits} cifre di test, seme {seed}.</translation>
    </message>
    <message>
        <source>{threshold}: answers {answered} of digits, {accuracy} of those right</source>
        <translation>{threshold}: risponde al {answered} delle cifre, {accuracy} di queste giuste</translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Settings that differ</source>
        <translation>Impostazioni che differiscono</translation>
    </message>
    <message>
        <source>Best test</source>
        <translation>Miglior test</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Tempo</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Esito</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>completata</translation>
    </message>
    <message>
        <source>Trained every epoch asked for</source>
        <translation>Addestrata per tutte le epoche richieste</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>fermata</translation>
    </message>
    <message>
        <source>Stopped by the user</source>
        <translation>Fermata dall&apos;utente</translation>
    </message>
    <message>
        <source>diverged</source>
        <translation>divergente</translation>
    </message>
    <message>
        <source>The loss became infinite or NaN</source>
        <translation>La perdita è diventata infinita o NaN</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>interrotta</translation>
    </message>
    <message>
        <source>The process ended during training; every completed epoch is kept</source>
        <translation>Il processo è terminato durante l&apos;addestramento; ogni epoca completata è conservata</translation>
    </message>
    <message>
        <source>running</source>
        <translation>in corso</translation>
    </message>
    <message>
        <source>Training now</source>
        <translation>In addestramento ora</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallita</translation>
    </message>
    <message>
        <source>Could not train</source>
        <translation>Addestramento non riuscito</translation>
    </message>
    <message>
        <source>{epoch} ({share} through)</source>
        <translation>{epoch} (al {share})</translation>
    </message>
    <message>
        <source>Recorded runs. Tick runs to overlay their curves; double-click a name to rename; select a run to rewind it on the timeline.</source>
        <translation>Sessioni registrate. Spunta le sessioni per sovrapporne le curve; doppio clic su un nome per rinominarlo; seleziona una sessione per riavvolgerla sulla linea del tempo.</translation>
    </message>
    <message>
        <source>Tick: overlay on the curves. Name: double-click to rename. Settings that differ: what tells this run from the others.</source>
        <translation>Spunta: sovrapponi alle curve. Nome: doppio clic per rinominare. Impostazioni che differiscono: ciò che distingue questa sessione dalle altre.</translation>
    </message>
    <message>
        <source>Read the run store again</source>
        <translation>Rileggi l&apos;archivio delle sessioni</translation>
    </message>
    <message>
        <source>Rename the selected run</source>
        <translation>Rinomina la sessione selezionata</translation>
    </message>
    <message>
        <source>Delete the selected run from disk (asks first)</source>
        <translation>Elimina dal disco la sessione selezionata (chiede prima)</translation>
    </message>
    <message>
        <source>Put the selected run&apos;s settings into the settings form, to train again or change them</source>
        <translation>Metti le impostazioni della sessione selezionata nel modulo, per addestrare di nuovo o cambiarle</translation>
    </message>
    <message>
        <source>Select a run to rewind it.</source>
        <translation>Seleziona una sessione per riavvolgerla.</translation>
    </message>
    <message>
        <source>Move to see every view at that moment of the selected run (its weight snapshots)</source>
        <translation>Sposta per vedere ogni vista in quel momento della sessione selezionata (le sue istantanee dei pesi)</translation>
    </message>
    <message>
        <source>Back to live</source>
        <translation>Torna al vivo</translation>
    </message>
    <message>
        <source>Show the live (or last loaded) model again in every view</source>
        <translation>Mostra di nuovo in ogni vista il modello dal vivo (o l&apos;ultimo caricato)</translation>
    </message>
    <message>
        <source>Train on from the timeline&apos;s epoch (or the run&apos;s last), recorded as a branch of this run, with the settings in the form</source>
        <translation>Continua ad addestrare dall&apos;epoca della linea del tempo (o dall&apos;ultima della sessione), registrando un ramo di questa sessione, con le impostazioni del modulo</translation>
    </message>
    <message>
        <source>Step a batch</source>
        <translation>Avanza di un batch</translation>
    </message>
    <message>
        <source>While paused: train one batch, then pause again</source>
        <translation>In pausa: addestra un batch, poi torna in pausa</translation>
    </message>
    <message>
        <source>Step an epoch</source>
        <translation>Avanza di un&apos;epoca</translation>
    </message>
    <message>
        <source>While paused: train one epoch&apos;s batches, then pause again</source>
        <translation>In pausa: addestra i batch di un&apos;epoca, poi torna in pausa</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Linea del tempo</translation>
    </message>
    <message>
        <source>Rewind the selected run, continue it, or step a paused run</source>
        <translation>Riavvolgi la sessione selezionata, continuala, o fai avanzare una sessione in pausa</translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation>Elimina la sessione</translation>
    </message>
    <message>
        <source>Delete run {run} and its snapshots from disk? This cannot be undone.</source>
        <translation>Eliminare dal disco la sessione {run} e le sue istantanee? Non si può annullare.</translation>
    </message>
    <message>
        <source>damaged: {why}</source>
        <translation>danneggiata: {why}</translation>
    </message>
    <message>
        <source>damaged</source>
        <translation>danneggiata</translation>
    </message>
    <message>
        <source>Run {run} cannot be read: {why}</source>
        <translation>La sessione {run} non si può leggere: {why}</translation>
    </message>
    <message>
        <source>Overlay this run&apos;s curves on the Curves tab</source>
        <translation>Sovrapponi le curve di questa sessione nella scheda Curve</translation>
    </message>
    <message>
        <source>continued from run {run} at epoch {epoch}</source>
        <translation>continuazione della sessione {run} dall&apos;epoca {epoch}</translation>
    </message>
    <message>
        <source>Run {run}, started {when}</source>
        <translation>Sessione {run}, iniziata il {when}</translation>
    </message>
    <message>
        <source>Double-click to rename</source>
        <translation>Doppio clic per rinominare</translation>
    </message>
    <message>
        <source>All settings:</source>
        <translation>Tutte le impostazioni:</translation>
    </message>
    <message>
        <source>Best test accuracy over the epochs</source>
        <translation>Migliore accuratezza di test tra le epoche</translation>
    </message>
    <message>
        <source>; final {accuracy}</source>
        <translation>; finale {accuracy}</translation>
    </message>
    <message>
        <source>Completed epochs (of those asked for)</source>
        <translation>Epoche completate (su quelle richieste)</translation>
    </message>
    <message>
        <source>Training time</source>
        <translation>Tempo di addestramento</translation>
    </message>
    <message>
        <source>No runs yet in {folder}.</source>
        <translation>Ancora nessuna sessione in {folder}.</translation>
    </message>
    <message>
        <source>Cannot read the runs: {message}</source>
        <translation>Impossibile leggere le sessioni: {message}</translation>
    </message>
    <message>
        <source>Cannot rename: {error}</source>
        <translation>Impossibile rinominare: {error}</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Rinomina</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Elimina…</translation>
    </message>
    <message>
        <source>Load settings into the form</source>
        <translation>Carica le impostazioni nel modulo</translation>
    </message>
    <message>
        <source>Continue this run</source>
        <translation>Continua questa sessione</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aggiorna</translation>
    </message>
    <message>
        <source>Cannot delete: {problems}</source>
        <translation>Impossibile eliminare: {problems}</translation>
    </message>
    <message>
        <source>Run {run} is damaged: {why}</source>
        <translation>La sessione {run} è danneggiata: {why}</translation>
    </message>
    <message>
        <source>Run {run} has no snapshots yet.</source>
        <translation>La sessione {run} non ha ancora istantanee.</translation>
    </message>
    <message numerus="yes">
        <source>Live. Move the timeline to see run {run} at any of its %n snapshot(s).</source>
        <translation>
            <numerusform>Dal vivo. Sposta la linea del tempo per vedere la sessione {run} nella sua %n istantanea.</numerusform>
            <numerusform>Dal vivo. Sposta la linea del tempo per vedere la sessione {run} in una qualsiasi delle sue %n istantanee.</numerusform>
        </translation>
    </message>
    <message>
        <source>viewing epoch {epoch} of run {run}</source>
        <translation>vista dell&apos;epoca {epoch} della sessione {run}</translation>
    </message>
    <message>
        <source>Cannot load that snapshot: {message}</source>
        <translation>Impossibile caricare quell&apos;istantanea: {message}</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continua</translation>
    </message>
    <message>
        <source>Continue from epoch {epoch}</source>
        <translation>Continua dall&apos;epoca {epoch}</translation>
    </message>
</context>
<context>
    <name>TrainingController</name>
    <message>
        <source>This run is not recorded</source>
        <translation>Questa sessione non viene registrata</translation>
    </message>
    <message>
        <source>{problem}. Training goes on; save the model when it ends (File &gt; Save model).</source>
        <translation>{problem}. L&apos;addestramento continua; salva il modello quando finisce (File &gt; Salva modello).</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Addestramento…</translation>
    </message>
    <message>
        <source>run {run} is damaged: {why}</source>
        <translation>la sessione {run} è danneggiata: {why}</translation>
    </message>
    <message>
        <source>Cannot continue that run</source>
        <translation>Impossibile continuare quella sessione</translation>
    </message>
    <message numerus="yes">
        <source>Stepping %Ln batch(es)…</source>
        <translation>
            <numerusform>Avanzo di %Ln batch…</numerusform>
            <numerusform>Avanzo di %Ln batch…</numerusform>
        </translation>
    </message>
    <message>
        <source>Paused: press Resume (Ctrl+P) to go on, Stop, or step a batch at a time in Runs</source>
        <translation>In pausa: premi Riprendi (Ctrl+P) per continuare, Ferma, o avanza di un batch alla volta in Sessioni</translation>
    </message>
    <message>
        <source>Stopping after the current batch…</source>
        <translation>Mi fermo dopo il batch in corso…</translation>
    </message>
    <message>
        <source>Learning rate {typed}: expected a number &gt; 0 and at most 10000</source>
        <translation>Tasso di apprendimento {typed}: serve un numero &gt; 0 e al massimo 10000</translation>
    </message>
    <message>
        <source>Learning rate set to {rate} (from the next batch; the schedule still scales it)</source>
        <translation>Tasso di apprendimento impostato a {rate} (dal prossimo batch; il programma lo scala comunque)</translation>
    </message>
    <message>
        <source>Cannot apply that fix</source>
        <translation>Impossibile applicare quella correzione</translation>
    </message>
    <message>
        <source>Applied {change} to the run in progress and to the settings</source>
        <translation>Applicato {change} alla sessione in corso e alle impostazioni</translation>
    </message>
    <message>
        <source>Applied {change} to the settings: press Train to try it</source>
        <translation>Applicato {change} alle impostazioni: premi Addestra per provarlo</translation>
    </message>
    <message>
        <source>Paused at epoch {epoch}, batch {batch} of {batches}: step again, Resume (Ctrl+P) or Stop</source>
        <translation>In pausa all&apos;epoca {epoch}, batch {batch} di {batches}: avanza ancora, Riprendi (Ctrl+P) o Ferma</translation>
    </message>
    <message>
        <source>Training diverged</source>
        <translation>L&apos;addestramento è divergente</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>Addestramento non riuscito</translation>
    </message>
    <message numerus="yes">
        <source>completed %Ln epoch(s)</source>
        <translation>
            <numerusform>%Ln epoca completata</numerusform>
            <numerusform>%Ln epoche completate</numerusform>
        </translation>
    </message>
    <message>
        <source>stopped during epoch {epoch}</source>
        <translation>fermata durante l&apos;epoca {epoch}</translation>
    </message>
    <message>
        <source>training ended</source>
        <translation>addestramento terminato</translation>
    </message>
</context>
<context>
    <name>WeightsPanel</name>
    <message>
        <source>Weights appear here when training starts or a model is loaded.</source>
        <translation>I pesi compaiono qui quando l&apos;addestramento parte o si apre un modello.</translation>
    </message>
    <message>
        <source>First layer: each unit&apos;s 784 weights as an image</source>
        <translation>Primo strato: i 784 pesi di ogni unità come immagine</translation>
    </message>
    <message>
        <source>Distribution of layer</source>
        <translation>Distribuzione dello strato</translation>
    </message>
    <message>
        <source>Weights now vs initial</source>
        <translation type="vanished">Pesi ora e all&apos;inizio</translation>
    </message>
    <message>
        <source>Weights &lt;span style=&quot;color: #d62728;&quot;&gt;now&lt;/span&gt; vs &lt;span style=&quot;color: #777777;&quot;&gt;initial&lt;/span&gt;</source>
        <translation>Pesi &lt;span style=&quot;color: #d62728;&quot;&gt;ora&lt;/span&gt; e &lt;span style=&quot;color: #777777;&quot;&gt;iniziali&lt;/span&gt;</translation>
    </message>
    <message>
        <source>initial</source>
        <translation>iniziali</translation>
    </message>
    <message>
        <source>now</source>
        <translation>ora</translation>
    </message>
    <message>
        <source>Relative change per epoch ‖ΔW‖/‖W‖</source>
        <translation>Variazione relativa per epoca ‖ΔW‖/‖W‖</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>epoca</translation>
    </message>
    <message>
        <source>Click a row (a hidden unit) to open it in the Lab</source>
        <translation>Clicca una riga (un&apos;unità nascosta) per aprirla nel Laboratorio</translation>
    </message>
    <message>
        <source>Click a unit to open it in the Lab</source>
        <translation>Clicca un&apos;unità per aprirla nel Laboratorio</translation>
    </message>
    <message>
        <source>at {moment}</source>
        <translation>a {moment}</translation>
    </message>
    <message>
        <source>of {file}</source>
        <translation>di {file}</translation>
    </message>
    <message>
        <source>after fine-tuning on your digits</source>
        <translation>dopo l&apos;affinamento sulle tue cifre</translation>
    </message>
    <message>
        <source>at epoch {epoch}</source>
        <translation>all&apos;epoca {epoch}</translation>
    </message>
    <message>
        <source>after {what}</source>
        <translation>dopo {what}</translation>
    </message>
    <message numerus="yes">
        <source>%n weight layer(s) {when}; rows are units, columns their inputs; blue negative, red positive (colour scale fixed per layer, grows as needed)</source>
        <translation>
            <numerusform>%n strato di pesi {when}; righe = unità, colonne = i loro ingressi; blu negativo, rosso positivo (scala dei colori fissa per strato, cresce se serve)</numerusform>
            <numerusform>%n strati di pesi {when}; righe = unità, colonne = i loro ingressi; blu negativo, rosso positivo (scala dei colori fissa per strato, cresce se serve)</numerusform>
        </translation>
    </message>
    <message>
        <source>W{layer}: {units} × {inputs}</source>
        <translation>W{layer}: {units} × {inputs}</translation>
    </message>
    <message numerus="yes">
        <source>%Ln unit(s)</source>
        <translation>
            <numerusform>%Ln unità</numerusform>
            <numerusform>%Ln unità</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln input(s)</source>
        <translation>
            <numerusform>%Ln ingresso</numerusform>
            <numerusform>%Ln ingressi</numerusform>
        </translation>
    </message>
    <message>
        <source>unit</source>
        <translation>unità</translation>
    </message>
    <message>
        <source>input</source>
        <translation>ingresso</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Network</source>
        <translation>Rete</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Addestramento</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Programma</translation>
    </message>
    <message>
        <source>Regularisation</source>
        <translation>Regolarizzazione</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Dati</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>Aumento dei dati</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Sessione</translation>
    </message>
    <message>
        <source>Hidden layers</source>
        <translation>Strati nascosti</translation>
    </message>
    <message>
        <source>units in each hidden layer, e.g. 128 or 256,128 (input 784 and the output layer are added); more units learn more but train slower</source>
        <translation>unità di ogni strato nascosto, ad es. 128 o 256,128 (l&apos;ingresso da 784 e lo strato d&apos;uscita si aggiungono da sé); più unità imparano di più ma si addestrano più lentamente</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>Attivazione</translation>
    </message>
    <message>
        <source>the function each hidden unit applies; ReLU trains fastest, sigmoid and tanh are the classic ones</source>
        <translation>la funzione che applica ogni unità nascosta; ReLU si addestra più in fretta, sigmoid e tanh sono le classiche</translation>
    </message>
    <message>
        <source>ReLU</source>
        <translation>ReLU</translation>
    </message>
    <message>
        <source>Leaky ReLU</source>
        <translation>Leaky ReLU</translation>
    </message>
    <message>
        <source>Sigmoid</source>
        <translation>Sigmoide</translation>
    </message>
    <message>
        <source>Tanh</source>
        <translation>Tanh</translation>
    </message>
    <message>
        <source>Per-layer activations</source>
        <translation>Attivazioni per strato</translation>
    </message>
    <message>
        <source>one activation per hidden layer, e.g. tanh,relu (empty: the Activation for all)</source>
        <translation>un&apos;attivazione per strato nascosto, ad es. tanh,relu (vuoto: l&apos;Attivazione per tutti)</translation>
    </message>
    <message>
        <source>Output and loss</source>
        <translation>Uscita e perdita</translation>
    </message>
    <message>
        <source>cross-entropy is the standard for classification; squared error is article 0&apos;s cost; binary cross-entropy needs a digit subset of exactly 2 digits</source>
        <translation>l&apos;entropia incrociata è lo standard per la classificazione; l&apos;errore quadratico è il costo dell&apos;articolo 0; l&apos;entropia incrociata binaria richiede un sottoinsieme di esattamente 2 cifre</translation>
    </message>
    <message>
        <source>Cross-entropy (softmax)</source>
        <translation>Entropia incrociata (softmax)</translation>
    </message>
    <message>
        <source>Squared error (sigmoid outputs)</source>
        <translation>Errore quadratico (uscite sigmoid)</translation>
    </message>
    <message>
        <source>Binary cross-entropy (one sigmoid unit)</source>
        <translation>Entropia incrociata binaria (una unità sigmoid)</translation>
    </message>
    <message>
        <source>Initial weights</source>
        <translation>Pesi iniziali</translation>
    </message>
    <message>
        <source>how weights are drawn at the start: He suits ReLU, Xavier suits sigmoid and tanh; a fixed std that is too large saturates sigmoids</source>
        <translation>come si estraggono i pesi all&apos;inizio: He è adatto a ReLU, Xavier a sigmoid e tanh; una deviazione standard fissa troppo grande satura le sigmoidi</translation>
    </message>
    <message>
        <source>Normal, fixed std</source>
        <translation>Normale, dev. std fissa</translation>
    </message>
    <message>
        <source>Xavier/Glorot (for sigmoid, tanh)</source>
        <translation>Xavier/Glorot (per sigmoid, tanh)</translation>
    </message>
    <message>
        <source>LeCun, 1/sqrt(n)</source>
        <translation>LeCun, 1/sqrt(n)</translation>
    </message>
    <message>
        <source>He (for ReLU)</source>
        <translation>He (per ReLU)</translation>
    </message>
    <message>
        <source>Initial weight std</source>
        <translation>Dev. std dei pesi iniziali</translation>
    </message>
    <message>
        <source>standard deviation of the normal distribution (only for &apos;Normal, fixed std&apos;); 0.01 to 0.1 is typical</source>
        <translation>deviazione standard della distribuzione normale (solo per &apos;Normale, dev. std fissa&apos;); tipico da 0,01 a 0,1</translation>
    </message>
    <message>
        <source>Initial biases</source>
        <translation>Bias iniziali</translation>
    </message>
    <message>
        <source>biases start at zero, or drawn like the weights (article 0)</source>
        <translation>i bias partono da zero, o si estraggono come i pesi (articolo 0)</translation>
    </message>
    <message>
        <source>Zeros</source>
        <translation>Zeri</translation>
    </message>
    <message>
        <source>Normal, like weights</source>
        <translation>Normali, come i pesi</translation>
    </message>
    <message>
        <source>Normalisation</source>
        <translation>Normalizzazione</translation>
    </message>
    <message>
        <source>Leaky ReLU slope</source>
        <translation>Pendenza della leaky ReLU</translation>
    </message>
    <message>
        <source>the slope of leaky ReLU for negative inputs; 0.01 is usual</source>
        <translation>la pendenza della leaky ReLU per ingressi negativi; di solito 0,01</translation>
    </message>
    <message>
        <source>Optimiser</source>
        <translation>Ottimizzatore</translation>
    </message>
    <message>
        <source>how gradients become weight changes; momentum and Nesterov speed up plain SGD, Adam adapts the step per weight</source>
        <translation>come i gradienti diventano modifiche dei pesi; momentum e Nesterov accelerano lo SGD semplice, Adam adatta il passo a ogni peso</translation>
    </message>
    <message>
        <source>Plain SGD</source>
        <translation>SGD semplice</translation>
    </message>
    <message>
        <source>Momentum</source>
        <translation>Momentum</translation>
    </message>
    <message>
        <source>Nesterov momentum</source>
        <translation>Momentum di Nesterov</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Tasso di apprendimento</translation>
    </message>
    <message>
        <source>the size of each step; 0.01 to 0.5 for SGD and momentum, about 0.001 for Adam. Too large and the loss explodes</source>
        <translation>l&apos;ampiezza di ogni passo; da 0,01 a 0,5 per SGD e momentum, circa 0,001 per Adam. Se è troppo grande la perdita esplode</translation>
    </message>
    <message>
        <source>how much of the previous step carries over (momentum and Nesterov); 0.9 is usual</source>
        <translation>quanto del passo precedente si conserva (momentum e Nesterov); di solito 0,9</translation>
    </message>
    <message>
        <source>Momentum form</source>
        <translation>Forma del momentum</translation>
    </message>
    <message>
        <source>classic adds lr*gradient to a velocity; averaged keeps an average of gradients (article 2), whose steps are 1/(1-mu) smaller</source>
        <translation>la classica aggiunge lr*gradiente a una velocità; la mediata tiene una media dei gradienti (articolo 2), con passi 1/(1-mu) volte più piccoli</translation>
    </message>
    <message>
        <source>Classic: v = mu*v - lr*g</source>
        <translation>Classica: v = mu*v - lr*g</translation>
    </message>
    <message>
        <source>Averaged: v = mu*v + (1-mu)*g</source>
        <translation>Mediata: v = mu*v + (1-mu)*g</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Dimensione del batch</translation>
    </message>
    <message>
        <source>images per weight update (0 = the whole training set at once); 32 to 256 is typical</source>
        <translation>immagini per aggiornamento dei pesi (0 = tutto l&apos;insieme di addestramento insieme); tipico da 32 a 256</translation>
    </message>
    <message>
        <source>full batch</source>
        <translation>batch completo</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>passes over the training set</source>
        <translation>passate sull&apos;insieme di addestramento</translation>
    </message>
    <message>
        <source>Shuffle each epoch</source>
        <translation>Rimescola a ogni epoca</translation>
    </message>
    <message>
        <source>visit the training images in a new random order every epoch</source>
        <translation>visita le immagini di addestramento in un nuovo ordine casuale a ogni epoca</translation>
    </message>
    <message>
        <source>Learning-rate schedule</source>
        <translation>Programma del tasso di apprendimento</translation>
    </message>
    <message>
        <source>how the learning rate changes over the run: constant, multiplied by a factor every few epochs, or a half cosine down to zero</source>
        <translation>come cambia il tasso di apprendimento durante la sessione: costante, moltiplicato per un fattore ogni tot epoche, o mezzo coseno fino a zero</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>Costante</translation>
    </message>
    <message>
        <source>Step decay</source>
        <translation>Decadimento a gradini</translation>
    </message>
    <message>
        <source>Cosine to zero</source>
        <translation>Coseno fino a zero</translation>
    </message>
    <message>
        <source>Step every (epochs)</source>
        <translation>Gradino ogni (epoche)</translation>
    </message>
    <message>
        <source>epochs between two learning-rate steps (step decay)</source>
        <translation>epoche tra due gradini del tasso di apprendimento (decadimento a gradini)</translation>
    </message>
    <message>
        <source>Step factor</source>
        <translation>Fattore del gradino</translation>
    </message>
    <message>
        <source>the learning rate is multiplied by this at every step (step decay); 0.1 to 0.5</source>
        <translation>il tasso di apprendimento viene moltiplicato per questo a ogni gradino (decadimento a gradini); da 0,1 a 0,5</translation>
    </message>
    <message>
        <source>Warm-up (epochs)</source>
        <translation>Riscaldamento (epoche)</translation>
    </message>
    <message>
        <source>grow the learning rate linearly from 0 over this many epochs (0: none); helps large learning rates start safely</source>
        <translation>fa crescere il tasso di apprendimento linearmente da 0 in queste epoche (0: nessun riscaldamento); aiuta i tassi grandi a partire senza rischi</translation>
    </message>
    <message>
        <source>Weight decay (L2)</source>
        <translation>Decadimento dei pesi (L2)</translation>
    </message>
    <message>
        <source>pulls weights towards zero by adding decay*W to their gradient; 1e-5 to 1e-3</source>
        <translation>spinge i pesi verso zero aggiungendo decay*W al loro gradiente; da 1e-5 a 1e-3</translation>
    </message>
    <message>
        <source>Decay normalisation</source>
        <translation>Decadimento della normalizzazione</translation>
    </message>
    <message>
        <source>apply weight decay to the normalisation&apos;s scale and shift too (usually off: decaying them towards zero fights the normalisation)</source>
        <translation>applica il decadimento dei pesi anche a scala e spostamento della normalizzazione (di solito no: spingerli verso zero contrasta la normalizzazione)</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>fraction of hidden units switched off at random in each training step (0: none); 0.2 to 0.5 fights overfitting</source>
        <translation>frazione di unità nascoste spente a caso a ogni passo di addestramento (0: nessuna); da 0,2 a 0,5 contrasta il sovradattamento</translation>
    </message>
    <message>
        <source>Validation images</source>
        <translation>Immagini di validazione</translation>
    </message>
    <message>
        <source>hold out the last N training images to measure generalisation during training</source>
        <translation>tiene da parte le ultime N immagini di addestramento per misurare la generalizzazione durante l&apos;addestramento</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuna</translation>
    </message>
    <message>
        <source>Training images</source>
        <translation>Immagini di addestramento</translation>
    </message>
    <message>
        <source>train on only N images (0 = all); small subsets train fast and overfit</source>
        <translation>addestra solo su N immagini (0 = tutte); i sottoinsiemi piccoli si addestrano in fretta e si sovradattano</translation>
    </message>
    <message>
        <source>all</source>
        <translation>tutte</translation>
    </message>
    <message>
        <source>Subset</source>
        <translation>Sottoinsieme</translation>
    </message>
    <message>
        <source>which training images a subset takes</source>
        <translation>quali immagini di addestramento prende un sottoinsieme</translation>
    </message>
    <message>
        <source>First N</source>
        <translation>Prime N</translation>
    </message>
    <message>
        <source>Random N</source>
        <translation>N a caso</translation>
    </message>
    <message>
        <source>Digits</source>
        <translation>Cifre</translation>
    </message>
    <message>
        <source>train on these digits only, e.g. 8,7 (empty: all ten); the first is class 0</source>
        <translation>addestra solo su queste cifre, ad es. 8,7 (vuoto: tutte e dieci); la prima è la classe 0</translation>
    </message>
    <message>
        <source>Standardise inputs</source>
        <translation>Standardizza gli ingressi</translation>
    </message>
    <message>
        <source>scale pixels to zero mean and unit variance (else pixel/255 in [0, 1])</source>
        <translation>porta i pixel a media zero e varianza unitaria (altrimenti pixel/255 in [0, 1])</translation>
    </message>
    <message>
        <source>distort each training image at random every time it is seen, so the network learns shapes rather than pixels; slower, more accurate</source>
        <translation>deforma a caso ogni immagine di addestramento ogni volta che viene vista, così la rete impara forme invece che pixel; più lento, più accurato</translation>
    </message>
    <message>
        <source>Batch norm: a 10-layer sigmoid net trains, 95%</source>
        <translation>Batch norm: una rete sigmoide a 10 strati impara, 95%</translation>
    </message>
    <message>
        <source>batch normalisation: 784-100x10-10 sigmoid, Xavier, SGD lr 0.1, batch 64, 3 epochs; with Normalisation &apos;None&apos; the same network stays at chance (11%)</source>
        <translation>normalizzazione del batch: 784-100x10-10 sigmoide, Xavier, SGD lr 0.1, batch 64, 3 epoche; con Normalizzazione &apos;Nessuno&apos; la stessa rete resta al caso (11%)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Nessuno</translation>
    </message>
    <message>
        <source>standardise each hidden layer&apos;s inputs to its activation (batch norm: over the batch; layer norm: over each digit&apos;s units), then scale and shift them by learnt factors; lets deep sigmoid and tanh networks train</source>
        <translation>standardizza gli ingressi dell&apos;attivazione di ogni strato nascosto (batch norm: sul batch; layer norm: sulle unità di ogni cifra), poi li scala e li sposta con fattori appresi; permette di addestrare reti profonde sigmoide e tanh</translation>
    </message>
    <message>
        <source>Batch norm</source>
        <translation>Batch norm</translation>
    </message>
    <message>
        <source>Layer norm</source>
        <translation>Layer norm</translation>
    </message>
    <message>
        <source>Affine (shift, rotate, scale, shear)</source>
        <translation>Affine (sposta, ruota, scala, inclina)</translation>
    </message>
    <message>
        <source>Elastic + affine</source>
        <translation>Elastica + affine</translation>
    </message>
    <message>
        <source>Distortion strength</source>
        <translation>Intensità della deformazione</translation>
    </message>
    <message>
        <source>scales every distortion (1 = the calibrated default)</source>
        <translation>scala ogni deformazione (1 = il valore predefinito calibrato)</translation>
    </message>
    <message>
        <source>Distortion schedule</source>
        <translation>Programma della deformazione</translation>
    </message>
    <message>
        <source>keep distortions constant, or shrink them to nothing by the last epoch</source>
        <translation>mantiene le deformazioni costanti, o le riduce a zero entro l&apos;ultima epoca</translation>
    </message>
    <message>
        <source>Fade out by the last epoch</source>
        <translation>Sfuma entro l&apos;ultima epoca</translation>
    </message>
    <message>
        <source>Random seed</source>
        <translation>Seme casuale</translation>
    </message>
    <message>
        <source>the same seed and settings give the same run, bit for bit</source>
        <translation>stesso seme e stesse impostazioni danno la stessa sessione, bit per bit</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precisione</translation>
    </message>
    <message>
        <source>floating-point precision of weights and activations</source>
        <translation>precisione in virgola mobile di pesi e attivazioni</translation>
    </message>
    <message>
        <source>float32 (fast)</source>
        <translation>float32 (veloce)</translation>
    </message>
    <message>
        <source>float64 (exact checks)</source>
        <translation>float64 (verifiche esatte)</translation>
    </message>
    <message>
        <source>Fast: 784-512-10, 98% in 2 epochs</source>
        <translation>Veloce: 784-512-10, 98% in 2 epoche</translation>
    </message>
    <message>
        <source>ours, the default: 784-512-10 ReLU, Nesterov + cosine, &gt;= 97.5% test in 2 epochs</source>
        <translation>nostro, il predefinito: 784-512-10 ReLU, Nesterov + coseno, &gt;= 97,5% di test in 2 epoche</translation>
    </message>
    <message>
        <source>Best: 784-800-800-10 with dropout, 98.5%+</source>
        <translation>Il migliore: 784-800-800-10 con dropout, 98,5%+</translation>
    </message>
    <message>
        <source>ours, highest accuracy without augmentation: 784-800-800-10 ReLU, dropout, cosine</source>
        <translation>nostro, la massima accuratezza senza aumento dei dati: 784-800-800-10 ReLU, dropout, coseno</translation>
    </message>
    <message>
        <source>Best with distortions: 99%+ (slow)</source>
        <translation>Il migliore con deformazioni: 99%+ (lento)</translation>
    </message>
    <message>
        <source>ours, &gt;= 99%: 784-800-800-10 ReLU, elastic + affine distortions that fade out</source>
        <translation>nostro, &gt;= 99%: 784-800-800-10 ReLU, deformazioni elastiche + affini che sfumano</translation>
    </message>
    <message>
        <source>Article 0: sigmoid + squared error, 95%</source>
        <translation>Articolo 0: sigmoid + errore quadratico, 95%</translation>
    </message>
    <message>
        <source>L2-cost article: 784-50-10 sigmoid, MSE, N(0,1) init, SGD lr 3.0, batch 8, 30k images</source>
        <translation>articolo sul costo L2: 784-50-10 sigmoid, MSE, inizializzazione N(0,1), SGD lr 3,0, batch 8, 30.000 immagini</translation>
    </message>
    <message>
        <source>Article 1: Layer classes, ReLU, 98%</source>
        <translation>Articolo 1: classi Layer, ReLU, 98%</translation>
    </message>
    <message>
        <source>Layer-class article: 784-100-200-10 ReLU, Xavier, softmax CE, SGD lr 0.1, batch 32</source>
        <translation>articolo sulle classi Layer: 784-100-200-10 ReLU, Xavier, softmax CE, SGD lr 0,1, batch 32</translation>
    </message>
    <message>
        <source>Article 2: sigmoid + softmax, momentum, 98%</source>
        <translation>Articolo 2: sigmoid + softmax, momentum, 98%</translation>
    </message>
    <message>
        <source>momentum article: 784-64-10 sigmoid, softmax CE, 1/sqrt(n) init, momentum 0.9, lr 0.5</source>
        <translation>articolo sul momentum: 784-64-10 sigmoid, softmax CE, inizializzazione 1/sqrt(n), momentum 0,9, lr 0,5</translation>
    </message>
    <message>
        <source>Article 3: binary 7 vs 8, 100%</source>
        <translation>Articolo 3: binario 7 contro 8, 100%</translation>
    </message>
    <message>
        <source>binary article: 7 (=1) vs 8 (=0), 784-10-5-1 sigmoid, BCE, full-batch GD lr 1.0</source>
        <translation>articolo sul binario: 7 (=1) contro 8 (=0), 784-10-5-1 sigmoid, BCE, GD a batch completo lr 1,0</translation>
    </message>
    <message>
        <source>Article 4: one hidden layer, 95%</source>
        <translation>Articolo 4: uno strato nascosto, 95%</translation>
    </message>
    <message>
        <source>validation article: 784-128-10 ReLU, N(0,0.01) init, SGD lr 0.1, batch 1000 in order</source>
        <translation>articolo sulla validazione: 784-128-10 ReLU, inizializzazione N(0;0,01), SGD lr 0,1, batch 1000 in ordine</translation>
    </message>
    <message>
        <source>standardise each hidden layer&apos;s inputs to its activation, then scale and shift them by learnt factors; lets deep sigmoid and tanh networks train</source>
        <translation type="vanished">standardizza gli ingressi dell&apos;attivazione di ogni strato nascosto, poi li scala e li trasla con fattori appresi; permette di addestrare reti sigmoid e tanh profonde</translation>
    </message>
    <message>
        <source>Batch norm (over the batch)</source>
        <translation type="vanished">Batch norm (sul batch)</translation>
    </message>
    <message>
        <source>Layer norm (over each digit&apos;s units)</source>
        <translation type="vanished">Layer norm (sulle unità di ogni cifra)</translation>
    </message>
    <message>
        <source>The mean loss of the last 25 batches is more than 10% above the mean of the 25 before, by more than 3 standard errors (2 if it doubled), so not batch noise: the learning rate may be too high. Fix: halve it (also applied to a run in progress).</source>
        <translation>La perdita media degli ultimi 25 batch supera di oltre il 10% la media dei 25 precedenti, di più di 3 errori standard (2 se è raddoppiata), quindi non è rumore dei batch: il tasso di apprendimento potrebbe essere troppo alto. Correzione: dimezzarlo (vale anche per una sessione in corso).</translation>
    </message>
    <message>
        <source>The first layer&apos;s RMS weight gradient is below 1/1000 of the last layer&apos;s: the early layers hardly learn. Fix: Xavier (sigmoid/tanh) or He (ReLU) initialisation, or ReLU units.</source>
        <translation>Il gradiente RMS dei pesi del primo strato è sotto 1/1000 di quello dell&apos;ultimo: i primi strati imparano a malapena. Correzione: inizializzazione Xavier (sigmoid/tanh) o He (ReLU), oppure unità ReLU.</translation>
    </message>
    <message>
        <source>More than 40% of a ReLU layer&apos;s units are never active on the probe digits. Fix: leaky ReLU (or halve the learning rate).</source>
        <translation>Più del 40% delle unità di uno strato ReLU non si attiva mai sulle cifre di prova. Correzione: leaky ReLU (o dimezzare il tasso di apprendimento).</translation>
    </message>
    <message>
        <source>More than 40% of a sigmoid/tanh layer&apos;s units are within 0.01 of a bound on at least 50% of the probe digits. Fix: Xavier initialisation (or ReLU).</source>
        <translation>Più del 40% delle unità di uno strato sigmoid/tanh sta entro 0,01 da un limite su almeno il 50% delle cifre di prova. Correzione: inizializzazione Xavier (o ReLU).</translation>
    </message>
    <message>
        <source>The validation loss rose in each of the last 3 epochs while the training loss fell. Fix: dropout 0.2 (or more weight decay).</source>
        <translation>La perdita di validazione è salita in ognuna delle ultime 3 epoche mentre quella di addestramento scendeva. Correzione: dropout 0,2 (o più decadimento dei pesi).</translation>
    </message>
</context>
<context>
    <name>text</name>
    <message>
        <source>{s}s</source>
        <translation>{s} s</translation>
    </message>
    <message>
        <source>{m}m {s}s</source>
        <translation>{m} min {s} s</translation>
    </message>
    <message>
        <source>{h}h {m}m</source>
        <translation>{h} h {m} min</translation>
    </message>
</context>
</TS>
