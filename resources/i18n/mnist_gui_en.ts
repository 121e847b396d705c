<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ConfigPanel</name>
    <message numerus="yes">
        <source>{sizes}: %Ln parameter(s), about {megabytes} MB for training</source>
        <translation>
            <numerusform>{sizes}: %Ln parameter, about {megabytes} MB for training</numerusform>
            <numerusform>{sizes}: %Ln parameters, about {megabytes} MB for training</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DigitHistoryView</name>
    <message numerus="yes">
        <source>%Ln digit(s) of {total}{shown}</source>
        <translation>
            <numerusform>%Ln digit of {total}{shown}</numerusform>
            <numerusform>%Ln digits of {total}{shown}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InspectPanel</name>
    <message numerus="yes">
        <source>no {digit} within %n step(s)</source>
        <translation>
            <numerusform>no {digit} within %n step</numerusform>
            <numerusform>no {digit} within %n steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LabPanel</name>
    <message numerus="yes">
        <source>%Ln unit(s)</source>
        <translation>
            <numerusform>%Ln unit</numerusform>
            <numerusform>%Ln units</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{zeros} of weights are 0, %n unit(s) off; scored in {ms} ms</source>
        <translation>
            <numerusform>{zeros} of weights are 0, %n unit off; scored in {ms} ms</numerusform>
            <numerusform>{zeros} of weights are 0, %n units off; scored in {ms} ms</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%Ln parameter(s)</source>
        <translation>
            <numerusform>%Ln parameter</numerusform>
            <numerusform>%Ln parameters</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln image(s)</source>
        <translation>
            <numerusform>%Ln image</numerusform>
            <numerusform>%Ln images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln batch(es)</source>
        <translation>
            <numerusform>%Ln batch</numerusform>
            <numerusform>%Ln batches</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MapPanel</name>
    <message numerus="yes">
        <source>%Ln unit(s)</source>
        <translation>
            <numerusform>%Ln unit</numerusform>
            <numerusform>%Ln units</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message numerus="yes">
        <source>Live. Move the timeline to see run {run} at any of its %n snapshot(s).</source>
        <translation>
            <numerusform>Live. Move the timeline to see run {run} at its %n snapshot.</numerusform>
            <numerusform>Live. Move the timeline to see run {run} at any of its %n snapshots.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainingController</name>
    <message numerus="yes">
        <source>Stepping %Ln batch(es)…</source>
        <translation>
            <numerusform>Stepping %Ln batch…</numerusform>
            <numerusform>Stepping %Ln batches…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>completed %Ln epoch(s)</source>
        <translation>
            <numerusform>completed %Ln epoch</numerusform>
            <numerusform>completed %Ln epochs</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WeightsPanel</name>
    <message numerus="yes">
        <source>%n weight layer(s) {when}; rows are units, columns their inputs; blue negative, red positive (colour scale fixed per layer, grows as needed)</source>
        <translation>
            <numerusform>%n weight layer {when}; rows are units, columns their inputs; blue negative, red positive (colour scale fixed per layer, grows as needed)</numerusform>
            <numerusform>%n weight layers {when}; rows are units, columns their inputs; blue negative, red positive (colour scale fixed per layer, grows as needed)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln unit(s)</source>
        <translation>
            <numerusform>%Ln unit</numerusform>
            <numerusform>%Ln units</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln input(s)</source>
        <translation>
            <numerusform>%Ln input</numerusform>
            <numerusform>%Ln inputs</numerusform>
        </translation>
    </message>
</context>
</TS>
