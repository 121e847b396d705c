<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <extracomment>the languages with a translation (English is the source), each named in itself</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System ({language})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language is used after a restart</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>text</name>
    <message>
        <source>{s}s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{m}m {s}s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{h}h {m}m</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
