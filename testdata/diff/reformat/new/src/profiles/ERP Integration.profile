<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
  <userPermissions>
    <name>ApiUserOnly</name>
    <enabled>true</enabled>
  </userPermissions>
  <userPermissions>
    <name>ApiEnabled</name>
    <enabled>true</enabled>
  </userPermissions>
  <userLicense>Salesforce Integration</userLicense>
  <loginIpRanges>
    <startAddress>203.0.113.10</startAddress>
    <endAddress>203.0.113.20</endAddress>
    <description>SAP Cloud Integration egress</description>
  </loginIpRanges>
  <description>API-only profile for the SAP order integration. Object access comes from the ERP_Sync permission set group.</description>
  <custom>true</custom>
</Profile>
