<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>false</custom>
    <loginIpRanges>
        <endAddress>192.0.2.20</endAddress>
        <startAddress>192.0.2.10</startAddress>
    </loginIpRanges>
    <userLicense>Salesforce Integration</userLicense>
</Profile>
