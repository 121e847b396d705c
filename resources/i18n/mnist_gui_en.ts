<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
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
