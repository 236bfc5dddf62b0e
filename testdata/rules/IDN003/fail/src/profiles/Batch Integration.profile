<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>True</custom>
    <description>Nightly batch loader.</description>
    <loginIpRanges>
        <description>Batch server</description>
        <endAddress>192.0.2.20</endAddress>
        <startAddress>192.0.2.10</startAddress>
    </loginIpRanges>
    <userLicense>Salesforce</userLicense>
    <userPermissions>
        <enabled>True</enabled>
        <name>ApiEnabled</name>
    </userPermissions>
    <userPermissions>
        <enabled>False</enabled>
        <name>ApiUserOnly</name>
    </userPermissions>
</Profile>
